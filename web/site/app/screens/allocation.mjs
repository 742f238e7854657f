// Allocate a case: the tier and its reasons, the eligibility rules applied, each eligible practitioner
// with capacity now and after, and the decision with its justification (If-Match: the allocation read). A case
// coming by transfer is accepted by allocating it to a practitioner of the receiving team, or rejected.
import { ApiError } from '../api.mjs';
import { staffNames, teamName, teamNames } from '../directory.mjs';
import { clearErrors, problemItems, showErrors } from '../forms.mjs';
import {
  backLink, characterCount, html, notificationBanner, percent, render, summaryList, tierTag,
} from '../view.mjs';
import { incomingTransfer, rejectTransfer, rejectionForm } from './transfers.mjs';

const JUSTIFICATION_LIMIT = 4000; // the API's limit
const FIELDS = {
  practitionerCode: { id: 'practitioner', label: 'Practitioner' },
  justification: { id: 'justification', label: 'Justification' },
};

export async function allocationScreen(context, crn) {
  const { api, main, session } = context;
  render(context.beforeContent, backLink(`#/cases/${crn}`));
  // Asked before anything is shown: a practitioner must not fill in a form only to be refused.
  if (!session.roles.includes('manager')) {
    context.title('You cannot allocate cases');
    render(main, html`
      <h1 class="govuk-heading-l">You cannot allocate cases</h1>
      <p class="govuk-body">Only managers allocate and reallocate cases. Ask your senior probation officer if this case needs a different practitioner.</p>
      <p class="govuk-body"><a class="govuk-link" href="#/cases/${crn}">Return to the case</a></p>`);
    return;
  }
  let allocation;
  let etag;
  let ranked;

  async function load() {
    [{ data: allocation, etag }, { data: ranked }] = await Promise.all([
      api(`/cases/${crn}/allocation`),
      api(`/cases/${crn}/allocation/recommendations`),
    ]);
  }

  // The person's name and the allocation are asked for together: neither waits on the other.
  const [{ data: person }, teams, own] = await Promise.all([
    api(`/cases/${crn}`),
    teamNames(api),
    api(`/allocation/practitioners/${encodeURIComponent(session.staffCode)}`).then(({ data }) => data, () => null),
    load(),
  ]);
  const name = `${person.firstName} ${person.lastName}`;
  if (allocation.status === 'CLOSED') {
    context.title('This case is closed');
    render(main, html`
      <h1 class="govuk-heading-l">This case is closed</h1>
      <p class="govuk-body">${name} has no active sentence, so the case is in no queue or caseload. A new conviction reopens it and puts it back in the team's queue.</p>
      <p class="govuk-body"><a class="govuk-link" href="#/cases/${crn}">Return to the case</a></p>`);
    return;
  }
  context.title(`Allocate ${name}`);
  // A transfer waiting for this team, as the allocation last read says (a reload after a 412 may change it).
  const pending = () => allocation.pendingTransfer;
  const first = pending();
  const names = first ? await staffNames(api, [first.requestedBy, first.fromPractitionerCode]) : new Map();
  const heading = (transfer) => {
    if (transfer) return `Accept the transfer from ${teamName(teams, transfer.fromTeamCode)}`;
    return allocation.practitionerCode || allocation.partnerId ? 'Reallocate to another practitioner' : 'Allocate to a practitioner';
  };

  const show = (banner = '', chosen = {}) => {
    const transfer = pending();
    // The receiving team decides on a transfer; the team that asked for it withdraws it from the case instead.
    const mayReject = transfer && own?.teamCode !== transfer.fromTeamCode;
    render(main, html`
      <div id="errors"></div>
      ${banner}
      <span class="govuk-caption-l">${name} · CRN ${crn}</span>
      <h1 class="govuk-heading-l">${heading(transfer)}</h1>
      ${transfer ? incomingTransfer(transfer, teams, names) : ''}
      ${summaryList([
        ['Tier', tierTag(allocation.tier?.tier)],
        ['Why this tier', allocation.tier ? html`<ul class="govuk-list govuk-list--bullet">${allocation.tier.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : 'Not tiered'],
        ['Case points', String(ranked.casePoints)],
        ['Currently', allocation.practitionerCode ? `Allocated to ${allocation.practitionerName ?? allocation.practitionerCode}, ${teamName(teams, allocation.teamCode)}` : `Unallocated, ${teamName(teams, allocation.teamCode)}`],
      ])}
      <h2 class="govuk-heading-m">Who can take this case</h2>
      <ul class="govuk-list govuk-list--bullet">${ranked.eligibility.map((line) => html`<li>${line}</li>`)}</ul>
      <form id="allocation-form" novalidate>
        <div class="govuk-form-group">
          <fieldset class="govuk-fieldset">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">Recommended practitioners, best first</legend>
            ${ranked.practitioners.length ? html`
            <div class="govuk-radios" data-module="govuk-radios">
              ${ranked.practitioners.map((p, index) => html`
                <div class="govuk-radios__item">
                  <input class="govuk-radios__input" id="${index ? `practitioner-${index}` : 'practitioner'}" name="practitionerCode"
                         type="radio" value="${p.code}" aria-describedby="practitioner-${index}-hint" ${p.code === chosen.practitionerCode ? html`checked` : ''}>
                  <label class="govuk-label govuk-radios__label" for="${index ? `practitioner-${index}` : 'practitioner'}">
                    ${p.rank}. ${p.name} (${p.grade})</label>
                  <div id="practitioner-${index}-hint" class="govuk-hint govuk-radios__hint">
                    Capacity ${percent(p.capacityPercent)} now, <strong>${percent(p.capacityAfterPercent)} after</strong>.
                    ${p.communityCases} community and ${p.custodyCases} custody cases, of which ${p.highRoshCases} high or very high RoSH and ${p.mappaCases} under MAPPA; ${p.allocatedLast7Days} allocated in the last 7 days.
                    ${p.supervisedBefore ? html`<strong class="govuk-tag govuk-tag--turquoise">Has supervised ${name}</strong>` : ''}
                    ${p.reasons.length ? html`<ul class="govuk-list govuk-list--bullet govuk-body-s">${p.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
                  </div>
                </div>`)}
            </div>` : html`<p class="govuk-body">No practitioner in the team is eligible.</p>`}
          </fieldset>
        </div>
        ${characterCount({
          id: 'justification',
          label: 'Justification',
          hint: 'Why this practitioner: it is kept with the decision.',
          value: chosen.justification ?? '',
          limit: JUSTIFICATION_LIMIT,
          rows: 4,
        })}
        <button type="submit" class="govuk-button" data-module="govuk-button">${transfer ? 'Accept and allocate' : 'Allocate case'}</button>
      </form>
      ${mayReject ? rejectionForm() : ''}`);
    context.ready();
    main.querySelector('#allocation-form').addEventListener('submit', submit);
    main.querySelector('#rejection-form')?.addEventListener('submit', (event) => {
      event.preventDefault();
      rejectTransfer(context, { crn, name, transfer, teams }, event.target);
    });
  };

  async function submit(event) {
    event.preventDefault();
    clearErrors(main);
    const entries = new FormData(event.target);
    const decision = { practitionerCode: entries.get('practitionerCode'), justification: String(entries.get('justification') ?? '') };
    const problems = [];
    if (!decision.practitionerCode) problems.push({ id: 'practitioner', message: 'Select a practitioner' });
    if (!decision.justification.trim()) problems.push({ id: 'justification', message: 'Enter why this practitioner should take the case' });
    if (problems.length) {
      showErrors(main, problems.map((p) => ({ ...p, text: p.message, href: `#${p.id}` })));
      return;
    }
    try {
      await api(`/cases/${crn}/allocation`, { method: 'POST', body: decision, headers: { 'If-Match': etag } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        await load();
        show(notificationBanner({
          id: 'conflict',
          heading: 'This case changed since you opened it (it may have been re-tiered or allocated)',
          body: html`<p class="govuk-body">It has not been allocated. The latest tier and recommendations are shown with your choice kept: check them and allocate again.</p>`,
        }), decision);
        showErrors(main, [{ text: 'The case changed: check the latest details and allocate again', href: '#conflict' }]);
        return;
      }
      showErrors(main, problemItems(error, FIELDS));
      return;
    }
    const chosen = ranked.practitioners.find((p) => p.code === decision.practitionerCode);
    const transfer = pending();
    const accepted = transfer ? `: transfer from ${teamName(teams, transfer.fromTeamCode)} accepted` : '';
    context.flash({ success: `${name} allocated to ${chosen?.name ?? decision.practitionerCode}${accepted}` });
    context.navigate(context.listPath());
  }

  show();
}
