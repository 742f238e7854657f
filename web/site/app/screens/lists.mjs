// A practitioner's caseload and a team's unallocated queue: tables of cases with tier and risk bands; and
// the sentences due to end (a practitioner's own, a manager's team's), each a prompt to end it.
import { ApiError } from '../api.mjs';
import { bandTag, formatDate, formatDateTime, html, notificationBanner, percent, plural, render, tierTag, words } from '../view.mjs';
import { teamName, teamNames } from '../directory.mjs';
import { sortable } from '../sortable.mjs';
import { CONTACT_TYPES, SENTENCE_TYPES } from '../wording.mjs';
import { terminationPath } from './endings.mjs';

// Priority, most urgent first: tier A3 before A2 … D0 (hmpps-tier's letters are risk of harm, its numbers
// the likelihood of reoffending), then the longest waiting (the queue) or the most points (a caseload).
function tierRank(tier) {
  if (!tier) return 99;
  return ('ABCD'.indexOf(tier[0]) * 4) + (3 - Number(tier[1]));
}

const BAND_RANKS = { VERY_HIGH: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };

function bandRank(band) {
  return BAND_RANKS[band] ?? 9;
}

function byPriority(items) {
  return [...items].sort((a, b) => tierRank(a.tier) - tierRank(b.tier)
    || (b.daysWaiting ?? 0) - (a.daysWaiting ?? 0) || (b.points ?? 0) - (a.points ?? 0));
}

// A caseload's next appointment or last contact: when, then what; with none, a word, sorted to the end.
function timelineCell(when, type, none, sortWhenNone) {
  if (!when) return html`<td class="govuk-table__cell" data-sort-value="${sortWhenNone}">${none}</td>`;
  return html`<td class="govuk-table__cell" data-sort-value="${when}">${formatDateTime(when)}<br>
    <span class="govuk-body-s">${CONTACT_TYPES[type] ?? words(type)}</span></td>`;
}

function teamNameOf(teams, code) {
  return teams.items.find((t) => t.code === code)?.name ?? code;
}

function flashBanner(context) {
  const notice = context.takeFlash();
  return notice?.success ? notificationBanner({ title: 'Success', heading: notice.success, success: true }) : '';
}

export async function caseloadScreen(context) {
  const { api, main, session } = context;
  context.title('My caseload');
  let caseload;
  let teams;
  try {
    [{ data: caseload }, teams] = await Promise.all([
      api(`/allocation/practitioners/${encodeURIComponent(session.staffCode)}/caseload`),
      teamNames(api),
    ]);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    render(main, html`<h1 class="govuk-heading-l">My caseload</h1>
      <p class="govuk-body">There is no practitioner with your staff code (${session.staffCode}), so you hold no cases.</p>`);
    return;
  }
  const { practitioner, items } = caseload;
  render(main, html`
    ${flashBanner(context)}
    <span class="govuk-caption-l">${practitioner.name}, ${practitioner.grade} · ${teamName(teams, practitioner.teamCode)}</span>
    <h1 class="govuk-heading-l">My caseload</h1>
    <p class="govuk-body">${plural(items.length, 'case')}.
      Capacity used: <strong>${percent(practitioner.capacityPercent)}</strong>.</p>
    ${items.length ? html`
    <div class="app-table-scroll" role="region" aria-label="Your cases (scrolls sideways)" tabindex="0">
    <table class="govuk-table" id="caseload">
      <caption class="govuk-table__caption govuk-table__caption--m govuk-visually-hidden">Cases held by ${practitioner.name}</caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">
        <th scope="col" class="govuk-table__header" data-sortable>Name and CRN</th>
        <th scope="col" class="govuk-table__header" data-sortable>Sentence</th>
        <th scope="col" class="govuk-table__header" data-sortable>Next appointment</th>
        <th scope="col" class="govuk-table__header" data-sortable>Last contact</th>
        <th scope="col" class="govuk-table__header" data-sortable aria-sort="ascending">Tier</th>
        <th scope="col" class="govuk-table__header" data-sortable>RoSH</th>
        <th scope="col" class="govuk-table__header" data-sortable>RSR</th>
        <th scope="col" class="govuk-table__header" data-sortable>MAPPA</th>
        <th scope="col" class="govuk-table__header govuk-table__header--numeric" data-sortable>Points</th>
      </tr></thead>
      <tbody class="govuk-table__body">
        ${byPriority(items).map((item) => html`<tr class="govuk-table__row">
          <td class="govuk-table__cell" data-sort-value="${item.name}"><a class="govuk-link" href="#/cases/${item.crn}">${item.name}</a><br>
            <span class="govuk-body-s">${item.crn}</span></td>
          <td class="govuk-table__cell" data-sort-value="${item.expectedEndDate ?? '9999'}">${SENTENCE_TYPES[item.sentenceType] ?? 'None'}${item.expectedEndDate ? html`<br><span class="govuk-body-s">ends ${formatDate(item.expectedEndDate)}</span>` : ''}</td>
          ${timelineCell(item.nextAppointment?.start, item.nextAppointment?.type, 'None arranged', '9999')}
          ${timelineCell(item.lastContact?.date, item.lastContact?.type, 'None recorded', '0000')}
          <td class="govuk-table__cell" data-sort-value="${tierRank(item.tier)}">${tierTag(item.tier)}</td>
          <td class="govuk-table__cell" data-sort-value="${bandRank(item.rosh)}">${bandTag(item.rosh)}</td>
          <td class="govuk-table__cell" data-sort-value="${bandRank(item.rsrBand)}">${bandTag(item.rsrBand)}</td>
          <td class="govuk-table__cell" data-sort-value="${item.mappaLevel ?? 'Z'}">${item.mappaLevel ?? 'None'}</td>
          <td class="govuk-table__cell govuk-table__cell--numeric">${item.points}</td>
        </tr>`)}
      </tbody>
    </table></div>` : html`<p class="govuk-body">You have no cases allocated yet.</p>`}`);
  const table = main.querySelector('#caseload');
  if (table) sortable(table);
  context.ready();
}

export async function queueScreen(context, chosenTeam) {
  const { api, main, session } = context;
  context.title('Unallocated cases');
  const [{ data: teams }, own] = await Promise.all([
    api('/allocation/teams'),
    api(`/allocation/practitioners/${encodeURIComponent(session.staffCode)}`).catch(() => null),
  ]);
  const teamCode = chosenTeam ?? own?.data.teamCode ?? teams.items[0]?.code;
  if (!teamCode) {
    render(main, html`<h1 class="govuk-heading-l">Unallocated cases</h1><p class="govuk-body">There are no teams yet.</p>`);
    return;
  }
  const { data: queue } = await api(`/allocation/teams/${encodeURIComponent(teamCode)}/unallocated`);
  const team = teams.items.find((t) => t.code === teamCode);
  render(main, html`
    ${flashBanner(context)}
    <span class="govuk-caption-l">${team?.name ?? teamCode}</span>
    <h1 class="govuk-heading-l">Unallocated cases</h1>
    <form id="team-form" class="app-inline-form">
      <div class="govuk-form-group">
        <label class="govuk-label" for="team">Team</label>
        <select class="govuk-select" id="team" name="team">
          ${teams.items.map((t) => html`<option value="${t.code}" ${t.code === teamCode ? html`selected` : ''}>${t.name}</option>`)}
        </select>
      </div>
      <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">Show team</button>
    </form>
    <p class="govuk-body">${queue.items.length} ${queue.items.length === 1 ? 'case is' : 'cases are'} waiting to be allocated.</p>
    ${queue.items.length ? html`
    <div class="app-table-scroll" role="region" aria-label="Cases waiting (scrolls sideways)" tabindex="0">
    <table class="govuk-table" id="queue">
      <caption class="govuk-table__caption govuk-visually-hidden">Cases waiting in ${team?.name ?? teamCode}, highest priority first</caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">
        <th scope="col" class="govuk-table__header" data-sortable>Name and CRN</th>
        <th scope="col" class="govuk-table__header" data-sortable aria-sort="ascending">Tier</th>
        <th scope="col" class="govuk-table__header" data-sortable>Sentence</th>
        <th scope="col" class="govuk-table__header" data-sortable>RoSH</th>
        <th scope="col" class="govuk-table__header" data-sortable>RSR</th>
        <th scope="col" class="govuk-table__header" data-sortable>MAPPA</th>
        <th scope="col" class="govuk-table__header govuk-table__header--numeric" data-sortable>Days waiting</th>
        <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Action</span></th>
      </tr></thead>
      <tbody class="govuk-table__body">
        ${byPriority(queue.items).map((item) => html`<tr class="govuk-table__row">
          <td class="govuk-table__cell" data-sort-value="${item.name}"><a class="govuk-link" href="#/cases/${item.crn}">${item.name}</a><br>
            <span class="govuk-body-s">${item.crn}</span>${item.transfer ? html`<br><strong class="govuk-tag govuk-tag--purple app-transfer-tag">Transfer from ${teamNameOf(teams, item.transfer.fromTeamCode)}</strong>` : ''}</td>
          <td class="govuk-table__cell" data-sort-value="${tierRank(item.tier)}">${tierTag(item.tier)}</td>
          <td class="govuk-table__cell" data-sort-value="${item.releaseDate ?? item.sentenceDate ?? ''}">${SENTENCE_TYPES[item.sentenceType] ?? (words(item.sentenceType) || 'None')}${item.lengthMonths ? html`, ${item.lengthMonths} months` : ''}${item.releaseDate ? html`<br><span class="govuk-body-s">release ${formatDate(item.releaseDate)}</span>` : ''}</td>
          <td class="govuk-table__cell" data-sort-value="${bandRank(item.rosh)}">${bandTag(item.rosh)}</td>
          <td class="govuk-table__cell" data-sort-value="${bandRank(item.rsrBand)}">${bandTag(item.rsrBand)}</td>
          <td class="govuk-table__cell" data-sort-value="${item.mappaLevel ?? 'Z'}">${item.mappaLevel ?? 'None'}</td>
          <td class="govuk-table__cell govuk-table__cell--numeric">${item.daysWaiting}</td>
          <td class="govuk-table__cell"><a class="govuk-link" href="#/cases/${item.crn}/allocation">${item.transfer ? 'Allocate or reject' : 'Allocate'}<span class="govuk-visually-hidden"> ${item.name}</span></a></td>
        </tr>`)}
      </tbody>
    </table></div>` : ''}`);
  context.ready();
  const table = main.querySelector('#queue');
  if (table) sortable(table);
  main.querySelector('#team-form').addEventListener('submit', (event) => {
    event.preventDefault();
    context.navigate(`/queue/${new FormData(event.target).get('team')}`);
  });
}

// ------------------------------------------------------------------ due to end

function daysLeft(days) {
  if (days < 0) {
    return html`<strong class="govuk-tag govuk-tag--red">Overdue</strong><br><span class="govuk-body-s">ended ${plural(-days, 'day')} ago</span>`;
  }
  if (days === 0) return html`<strong class="govuk-tag govuk-tag--orange">Ends today</strong>`;
  return plural(days, 'day');
}

// Sentences expected to end within 30 days, or past their end without a termination: a case is closed only
// by ending its sentence, so each row is a prompt to end one.
export async function dueToEndScreen(context, chosenTeam) {
  const { api, main, session } = context;
  context.title('Due to end');
  const manager = session.roles.includes('manager');
  let teams = null;
  let team = null;
  let path = `/allocation/practitioners/${encodeURIComponent(session.staffCode)}/due-to-end`;
  if (manager) {
    const [{ data: list }, own] = await Promise.all([
      api('/allocation/teams'),
      api(`/allocation/practitioners/${encodeURIComponent(session.staffCode)}`).catch(() => null),
    ]);
    teams = list;
    const teamCode = chosenTeam ?? own?.data.teamCode ?? teams.items[0]?.code;
    if (!teamCode) {
      render(main, html`<h1 class="govuk-heading-l">Due to end</h1><p class="govuk-body">There are no teams yet.</p>`);
      return;
    }
    team = { code: teamCode, name: teamNameOf(teams, teamCode) };
    path = `/allocation/teams/${encodeURIComponent(teamCode)}/due-to-end`;
  }
  const { data } = await api(path);
  const items = data.items;
  const overdue = items.filter((item) => item.daysLeft < 0).length;
  render(main, html`
    ${flashBanner(context)}
    <span class="govuk-caption-l">${team ? team.name : 'Your cases'}</span>
    <h1 class="govuk-heading-l">Due to end</h1>
    ${manager ? html`
    <form id="team-form" class="app-inline-form">
      <div class="govuk-form-group">
        <label class="govuk-label" for="team">Team</label>
        <select class="govuk-select" id="team" name="team">
          ${teams.items.map((t) => html`<option value="${t.code}" ${t.code === team.code ? html`selected` : ''}>${t.name}</option>`)}
        </select>
      </div>
      <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">Show team</button>
    </form>` : ''}
    <p class="govuk-body">Sentences expected to end in the next 30 days, and those past their end. A case closes only when
      its sentence is ended here: end each one once it is over.</p>
    <p class="govuk-body" id="due-count">${plural(items.length, 'sentence')} due to end${overdue ? html`, <strong>${overdue} overdue</strong>` : ''}.</p>
    ${items.length ? html`
    <div class="app-table-scroll" role="region" aria-label="Sentences due to end (scrolls sideways)" tabindex="0">
    <table class="govuk-table" id="due-to-end">
      <caption class="govuk-table__caption govuk-visually-hidden">Sentences due to end, soonest first</caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">
        <th scope="col" class="govuk-table__header" data-sortable>Name and CRN</th>
        <th scope="col" class="govuk-table__header" data-sortable>Sentence</th>
        ${manager ? html`<th scope="col" class="govuk-table__header" data-sortable>Practitioner</th>` : ''}
        <th scope="col" class="govuk-table__header" data-sortable>Expected end</th>
        <th scope="col" class="govuk-table__header govuk-table__header--numeric" data-sortable aria-sort="ascending">Days left</th>
        <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Action</span></th>
      </tr></thead>
      <tbody class="govuk-table__body">
        ${items.map((item) => html`<tr class="govuk-table__row${item.daysLeft < 0 ? ' app-overdue' : ''}">
          <td class="govuk-table__cell" data-sort-value="${item.name}"><a class="govuk-link" href="#/cases/${item.crn}">${item.name}</a><br>
            <span class="govuk-body-s">${item.crn}</span></td>
          <td class="govuk-table__cell">${SENTENCE_TYPES[item.sentenceType] ?? words(item.sentenceType)}<br>
            <span class="govuk-body-s">Conviction ${item.convictionNumber}</span></td>
          ${manager ? html`<td class="govuk-table__cell">${item.practitionerName ?? 'Not allocated'}</td>` : ''}
          <td class="govuk-table__cell" data-sort-value="${item.expectedEndDate}">${formatDate(item.expectedEndDate)}</td>
          <td class="govuk-table__cell govuk-table__cell--numeric" data-sort-value="${item.daysLeft}">${daysLeft(item.daysLeft)}</td>
          <td class="govuk-table__cell"><a class="govuk-link" href="#${terminationPath(item.crn, item.convictionNumber)}">End this sentence<span class="govuk-visually-hidden"> of ${item.name}</span></a></td>
        </tr>`)}
      </tbody>
    </table></div>` : html`<p class="govuk-body">No sentence is due to end in the next 30 days.</p>`}`);
  context.ready();
  const table = main.querySelector('#due-to-end');
  if (table) sortable(table);
  main.querySelector('#team-form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    context.navigate(`/due-to-end/${new FormData(event.target).get('team')}`);
  });
}
