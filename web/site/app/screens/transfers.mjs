// Transfers between teams: asked for from the case (by a manager or the case's practitioner), shown on the
// case while they wait (with Withdraw), in the receiving team's queue, and accepted by allocating the case to
// one of that team's practitioners, or rejected with a reason, on the allocation screen.
import { ApiError, Unreachable } from '../api.mjs';
import { clearErrors, problemItems, showErrors } from '../forms.mjs';
import { staffName, staffNames, teamName, teamNames } from '../directory.mjs';
import { backLink, characterCount, formatDate, html, render, summaryList } from '../view.mjs';
import { canEnd } from './endings.mjs';

const REASON_LIMIT = 4000; // the API's limit
const FIELDS = {
  teamCode: { id: 'team', label: 'Team' },
  reason: { id: 'reason', label: 'Reason' },
};

// Who the API lets ask for a transfer: a manager or the case's practitioner, as for endings.
export const canRequestTransfer = canEnd;

// Who the API lets withdraw one: whoever asked, the case's practitioner, or a manager.
export function canWithdraw(session, allocation, transfer) {
  return canEnd(session, allocation) || transfer.requestedBy === session.staffCode;
}

// The pending transfer on a case overview, with its Withdraw button where the viewer may withdraw it.
export function pendingTransferInset({ allocation, teams, names, session, name }) {
  const transfer = allocation?.pendingTransfer;
  if (!transfer) return '';
  const to = teamName(teams, transfer.toTeamCode);
  const holder = allocation.practitionerCode ? staffName(names, allocation.practitionerCode) : null;
  return html`
    <div class="govuk-inset-text" id="transfer">
      <h2 class="govuk-heading-s govuk-!-margin-bottom-2">Transfer to ${to} requested</h2>
      <p class="govuk-body">Asked by ${staffName(names, transfer.requestedBy)} on ${formatDate(transfer.requestedAt)}: ${transfer.reason}</p>
      <p class="govuk-body">${holder ? `${name} stays with ${holder}` : `${name} stays in ${teamName(teams, transfer.fromTeamCode)}'s queue`} until ${to} allocates the case to one of its practitioners.</p>
      ${canWithdraw(session, allocation, transfer) ? html`
      <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button"
              id="withdraw-transfer" data-transfer="${transfer.id}">Withdraw transfer</button>` : ''}
    </div>`;
}

// The last transfer the receiving team turned down, for whoever asked for it.
export function rejectedTransferRow(allocation, teams, names) {
  const last = allocation?.transfers?.at(-1);
  if (!last || last.status !== 'REJECTED') return null;
  return ['Last transfer', html`To ${teamName(teams, last.toTeamCode)}: rejected by ${staffName(names, last.decidedBy)} on ${formatDate(last.decidedAt)}${last.rejectionReason ? html`. ${last.rejectionReason}` : ''}`];
}

export async function withdrawTransfer(context, crn, transferId, teams, transfer) {
  const { api, main } = context;
  clearErrors(main);
  try {
    await api(`/cases/${crn}/transfers/${transferId}/withdrawal`, { method: 'POST' });
  } catch (error) {
    showErrors(main, error instanceof Unreachable
      ? [{ text: `${error.message} The transfer has not been withdrawn.` }]
      : problemItems(error));
    return;
  }
  context.flash({ success: `Transfer to ${teamName(teams, transfer.toTeamCode)} withdrawn: the case stays where it was` });
  context.navigate(`/cases/${crn}`);
}

function refused(context, crn, heading, text) {
  context.title(heading);
  render(context.main, html`
    <h1 class="govuk-heading-l">${heading}</h1>
    <p class="govuk-body">${text}</p>
    <p class="govuk-body"><a class="govuk-link" href="#/cases/${crn}">Return to the case</a></p>`);
}

export async function transferScreen(context, crn) {
  const { api, main, session } = context;
  render(context.beforeContent, backLink(`#/cases/${crn}`));
  let allocation;
  const [{ data: person }, teams, { data: teamList }] = await Promise.all([
    api(`/cases/${crn}`),
    teamNames(api),
    api('/allocation/teams'),
    api(`/cases/${crn}/allocation`).then(({ data }) => { allocation = data; }, (error) => {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }),
  ]);
  const name = `${person.firstName} ${person.lastName}`;
  if (!allocation) {
    refused(context, crn, 'This case cannot be transferred yet', `${name} has not reached a team's queue yet.`);
    return;
  }
  if (!canRequestTransfer(session, allocation)) {
    refused(context, crn, 'You cannot transfer this case', 'Only a manager or the practitioner the case is allocated to can ask for its transfer.');
    return;
  }
  if (allocation.status === 'CLOSED' || person.status === 'CLOSED') {
    refused(context, crn, 'This case is closed', 'A closed case cannot be transferred. A new conviction reopens it.');
    return;
  }
  if (allocation.pendingTransfer) {
    refused(context, crn, 'A transfer is already waiting', `${name} is waiting to move to ${teamName(teams, allocation.pendingTransfer.toTeamCode)}. Withdraw that transfer first to ask for another.`);
    return;
  }
  const names = await staffNames(api, [allocation.practitionerCode]);
  const holder = allocation.practitionerCode ? staffName(names, allocation.practitionerCode) : null;
  const current = teamName(teams, allocation.teamCode);
  const choices = teamList.items.filter((team) => team.code !== allocation.teamCode);
  context.title(`Transfer ${name} to another team`);
  render(main, html`
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <div id="errors"></div>
      <span class="govuk-caption-l">${name} · CRN ${crn}</span>
      <h1 class="govuk-heading-l">Transfer to another team</h1>
      ${summaryList([
        ['Team now', current],
        ['Allocated to', holder ?? 'Not allocated yet'],
      ])}
      <div class="govuk-inset-text">The case joins the other team's queue. It stays ${holder ? `with ${holder}, on their caseload,` : `in ${current}'s queue`} until that team allocates it to one of its practitioners, or rejects the transfer.</div>
      <form id="transfer-form" novalidate>
        <div class="govuk-form-group">
          <label class="govuk-label govuk-label--m" for="team">Team to transfer to</label>
          <select class="govuk-select" id="team" name="team">
            <option value="">Choose a team</option>
            ${choices.map((team) => html`<option value="${team.code}">${team.name} (${team.region})</option>`)}
          </select>
        </div>
        ${characterCount({ id: 'reason', label: 'Why is the case moving?', hint: 'For example, the person has moved address. The receiving team reads this.', limit: REASON_LIMIT, rows: 4 })}
        <div class="govuk-button-group">
          <button type="submit" class="govuk-button" data-module="govuk-button">Request transfer</button>
          <a class="govuk-link" href="#/cases/${crn}">Cancel</a>
        </div>
      </form>
    </div></div>`);
  context.ready();
  main.querySelector('#transfer-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(main);
    const data = new FormData(event.target);
    const request = { teamCode: String(data.get('team') ?? ''), reason: String(data.get('reason') ?? '') };
    const problems = [];
    if (!request.teamCode) problems.push({ id: 'team', message: 'Select the team to transfer to' });
    if (!request.reason.trim()) problems.push({ id: 'reason', message: 'Enter why the case is moving' });
    else if (request.reason.length > REASON_LIMIT) problems.push({ id: 'reason', message: `Reason must be ${REASON_LIMIT.toLocaleString('en-GB')} characters or fewer` });
    if (problems.length) {
      showErrors(main, problems.map((p) => ({ ...p, text: p.message, href: `#${p.id}` })));
      return;
    }
    try {
      await api(`/cases/${crn}/transfers`, { method: 'POST', body: request });
    } catch (error) {
      showErrors(main, error instanceof Unreachable
        ? [{ text: `${error.message} Nothing has been asked for: try again when you are connected.` }]
        : problemItems(error, FIELDS));
      return;
    }
    context.flash({ success: `Transfer of ${name} to ${teamName(teams, request.teamCode)} requested` });
    context.navigate(`/cases/${crn}`);
  });
}

// ------------------------------------------------------------------ on the allocation screen

// What the receiving team sees of a transfer before deciding: from whom, why, and what allocating does.
export function incomingTransfer(transfer, teams, names) {
  const from = teamName(teams, transfer.fromTeamCode);
  const to = teamName(teams, transfer.toTeamCode);
  return html`
    <div class="govuk-inset-text" id="incoming-transfer">
      <h2 class="govuk-heading-s govuk-!-margin-bottom-2">Transfer from ${from}</h2>
      ${summaryList([
        ['Asked by', `${staffName(names, transfer.requestedBy)}, ${formatDate(transfer.requestedAt)}`],
        ['Held now by', transfer.fromPractitionerCode ? staffName(names, transfer.fromPractitionerCode) : 'No one: it was not allocated'],
        ['Reason', transfer.reason],
      ])}
      <p class="govuk-body govuk-!-margin-bottom-0">Allocating the case to a practitioner of ${to} accepts the transfer: it moves to ${to}. Or reject it below, and it stays with ${from}.</p>
    </div>`;
}

export function rejectionForm() {
  return html`
    <h2 class="govuk-heading-m" id="reject-heading">Reject the transfer</h2>
    <form id="rejection-form" novalidate>
      ${characterCount({ id: 'rejection-reason', label: 'Why are you rejecting it?', hint: 'The team that asked reads this.', limit: REASON_LIMIT, rows: 3 })}
      <button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button">Reject transfer</button>
    </form>`;
}

export async function rejectTransfer(context, { crn, name, transfer, teams }, form) {
  const { api, main } = context;
  clearErrors(main);
  const reason = String(new FormData(form).get('rejection-reason') ?? '');
  if (!reason.trim() || reason.length > REASON_LIMIT) {
    const message = reason.trim() ? `Reason must be ${REASON_LIMIT.toLocaleString('en-GB')} characters or fewer` : 'Enter why you are rejecting the transfer';
    showErrors(main, [{ id: 'rejection-reason', message, text: message, href: '#rejection-reason' }]);
    return;
  }
  try {
    await api(`/cases/${crn}/transfers/${transfer.id}/rejection`, { method: 'POST', body: { reason } });
  } catch (error) {
    showErrors(main, error instanceof Unreachable
      ? [{ text: `${error.message} The transfer has not been rejected.` }]
      : problemItems(error, { reason: { id: 'rejection-reason', label: 'Reason' } }));
    return;
  }
  context.flash({ success: `Transfer of ${name} rejected: the case stays with ${teamName(teams, transfer.fromTeamCode)}` });
  context.navigate(context.listPath());
}
