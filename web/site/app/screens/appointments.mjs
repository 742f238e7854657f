// Supervision: a practitioner's appointments and work lists, their sentence plans due for review among them
// (the landing page), arranging an appointment (with repeats and the clash warning) and recording its outcome
// (with the enforcement action the outcome and the sentence allow). The lists are the API's work lists, each
// one Query; names come from the caseload, or the case.
import { ApiError, Unreachable } from '../api.mjs';
import { readDate, readTime, ukInstant, ukToday } from '../dates.mjs';
import { discardDraft, loadDraft, saveDraft } from '../drafts.mjs';
import { clearErrors, problemItems, showErrors } from '../forms.mjs';
import {
  backLink, characterCount, formatDate, formatDateTime, html, notificationBanner, plural, render, summaryList, words,
} from '../view.mjs';
import {
  AGREEMENT_STATUSES, APPOINTMENT_TYPES, AWAITING_EVIDENCE, ENFORCEMENT_FITS, OUTCOME_CODES, REPEAT_INTERVALS,
  REQUIREMENT_TYPES, UNACCEPTABLE_OUTCOMES, enforcementActionName,
} from '../wording.mjs';
import { planPath } from './sentence-plan.mjs';

const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
const DAY_AND_TIME = new Intl.DateTimeFormat('en-GB', {
  weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London',
});
const NOTES_LIMIT = 4000;
const MAX_REPEATS = 30;
const INTERVAL_DAYS = { WEEK: 7, FORTNIGHT: 14, FOUR_WEEKS: 28 };
const NAMES_LOOKED_UP = 40; // beyond this many cases not in the caseload, a list shows their CRNs
const REVIEWS_WITHIN_DAYS = 28; // overdue reviews are listed whatever this is

export function appointmentType(type) {
  return APPOINTMENT_TYPES[type] ?? words(type);
}

export function outcomeName(code) {
  return OUTCOME_CODES[code] ?? code;
}

// The current sentence (the latest conviction's), as the supervision rules take it.
export function currentSentence(convictions) {
  const latest = [...(convictions ?? [])].sort((a, b) => String(b.convictionDate).localeCompare(String(a.convictionDate))
    || b.convictionNumber - a.convictionNumber)[0];
  return latest?.sentence ?? null;
}

// On licence or post-sentence supervision, failures lead to recall; on an order, to breach.
export function onLicence(sentence) {
  return sentence?.type === 'CUSTODY';
}

export function timeRange(item) {
  return `${TIME.format(new Date(item.start))} to ${TIME.format(new Date(item.end))}`;
}

// ------------------------------------------------------------------ the landing page

async function namesFor(api, session, crns) {
  const names = new Map();
  try {
    const { data } = await api(`/allocation/practitioners/${encodeURIComponent(session.staffCode)}/caseload`);
    data.items.forEach((item) => names.set(item.crn, item.name));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
  const missing = [...new Set(crns)].filter((crn) => !names.has(crn)).slice(0, NAMES_LOOKED_UP);
  const found = await Promise.all(missing.map((crn) => api(`/cases/${crn}`).then(
    ({ data }) => [crn, `${data.firstName} ${data.lastName}`],
    () => null,
  )));
  found.filter(Boolean).forEach(([crn, name]) => names.set(crn, name));
  return names;
}

function who(names, crn) {
  return html`<a class="govuk-link" href="#/cases/${crn}">${names.get(crn) ?? crn}</a><br><span class="govuk-body-s">${crn}</span>`;
}

function outcomeLink(item, names, label = 'Record outcome') {
  return html`<a class="govuk-link" href="#/cases/${item.crn}/appointments/${item.appointmentId}/outcome">${label}<span class="govuk-visually-hidden"> for ${names.get(item.crn) ?? item.crn}, ${formatDateTime(item.start)}</span></a>`;
}

function table({ id, caption, headers, rows, empty }) {
  if (!rows.length) {
    return html`<h2 class="govuk-heading-m" id="${id}-heading">${caption}</h2><p class="govuk-body" id="${id}">${empty}</p>`;
  }
  return html`
    <h2 class="govuk-heading-m" id="${id}-heading">${caption}</h2>
    <div class="app-table-scroll" role="region" aria-labelledby="${id}-heading" tabindex="0">
    <table class="govuk-table" id="${id}">
      <caption class="govuk-table__caption govuk-visually-hidden">${caption}</caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">${headers.map((h) => html`<th scope="col" class="govuk-table__header">${h}</th>`)}</tr></thead>
      <tbody class="govuk-table__body">${rows.map((cells) => html`<tr class="govuk-table__row">${cells.map((cell) => html`<td class="govuk-table__cell">${cell}</td>`)}</tr>`)}</tbody>
    </table></div>`;
}

function reviewDue(item) {
  const when = formatDate(item.reviewDue);
  if (item.daysLeft < 0) return html`${when}<br><strong class="govuk-tag govuk-tag--red">Overdue</strong> <span class="govuk-body-s">by ${plural(-item.daysLeft, 'day')}</span>`;
  if (item.daysLeft === 0) return html`${when}<br><strong class="govuk-tag govuk-tag--orange">Due today</strong>`;
  return html`${when}<br><span class="govuk-body-s">in ${plural(item.daysLeft, 'day')}</span>`;
}

function planState(item) {
  if (item.reviewStarted) return `Review started: version ${item.planVersion} is a draft`;
  return `Version ${item.planVersion}, ${AGREEMENT_STATUSES[item.agreementStatus].toLowerCase()}`;
}

function started(item) {
  return new Date(item.start).getTime() <= Date.now();
}

export async function appointmentsScreen(context) {
  const { api, main, session } = context;
  context.title('My appointments');
  const code = encodeURIComponent(session.staffCode);
  const base = `/supervision/practitioners/${code}`;
  const [today, week, outcomes, evidence, enforcement, reviews] = await Promise.all([
    api(`${base}/diary?period=DAY`),
    api(`${base}/diary?period=WEEK`),
    api(`${base}/due?list=OUTCOMES`),
    api(`${base}/due?list=EVIDENCE`),
    api(`${base}/due?list=ENFORCEMENT`),
    api(`/sentence-plans/practitioners/${code}/reviews-due?within=${REVIEWS_WITHIN_DAYS}`),
  ].map((request) => request.then(({ data }) => data.items)));
  const names = await namesFor(api, session, [today, week, outcomes, evidence, enforcement].flat().map((i) => i.crn));
  reviews.filter((item) => item.personName).forEach((item) => names.set(item.crn, item.personName));
  const now = ukToday();
  const todayKey = `${now.year}-${String(now.month).padStart(2, '0')}-${String(now.day).padStart(2, '0')}`;
  const notice = context.takeFlash();
  const status = (item) => (item.outcome
    ? outcomeName(item.outcome)
    : started(item) ? outcomeLink(item, names) : 'Scheduled');
  render(main, html`
    ${notice?.success ? notificationBanner({ title: 'Success', heading: notice.success, success: true }) : ''}
    <span class="govuk-caption-l">${longToday(now)}</span>
    <h1 class="govuk-heading-l">My appointments</h1>
    <p class="govuk-body">${plural(today.length, 'appointment')} today, ${plural(week.length, 'appointment')} this week,
      ${plural(outcomes.length, 'outcome')} to record, ${plural(reviews.length, 'sentence plan review')} due.</p>
    ${table({
      id: 'today', caption: 'Today', headers: ['Time', 'Name and CRN', 'Type', 'Outcome'], empty: 'No appointments today.',
      rows: today.map((item) => [timeRange(item), who(names, item.crn), appointmentType(item.type), status(item)]),
    })}
    ${table({
      id: 'week', caption: 'This week', headers: ['When', 'Name and CRN', 'Type', 'Outcome'], empty: 'No appointments this week.',
      rows: week.map((item) => [html`${DAY_AND_TIME.format(new Date(item.start))}${item.start.startsWith(todayKey) ? html` <strong class="govuk-tag govuk-tag--blue">Today</strong>` : ''}`,
        who(names, item.crn), appointmentType(item.type), status(item)]),
    })}
    ${table({
      id: 'outcomes', caption: 'Outcomes to record', headers: ['Appointment', 'Name and CRN', 'Type', 'Action'],
      empty: 'No outcomes to record.',
      rows: outcomes.map((item) => [formatDateTime(item.start), who(names, item.crn), appointmentType(item.type), outcomeLink(item, names)]),
    })}
    ${table({
      id: 'evidence', caption: 'Evidence due', headers: ['Appointment', 'Name and CRN', 'Evidence due', 'Action'],
      empty: 'No evidence due.',
      rows: evidence.map((item) => [formatDateTime(item.start), who(names, item.crn), formatDate(item.due), outcomeLink(item, names, 'Change outcome')]),
    })}
    ${table({
      id: 'enforcement', caption: 'Enforcement responses due', headers: ['Appointment', 'Name and CRN', 'Action taken', 'Response due'],
      empty: 'No enforcement responses due.',
      rows: enforcement.map((item) => [formatDateTime(item.start), who(names, item.crn),
        html`${outcomeName(item.outcome)}: ${enforcementActionName(item.enforcementAction).toLowerCase()}`, formatDate(item.due)]),
    })}
    ${table({
      id: 'reviews-due', caption: 'Sentence plan reviews due', headers: ['Name and CRN', 'Review due', 'Plan', 'Action'],
      empty: `No sentence plan is due for review in the next ${plural(REVIEWS_WITHIN_DAYS, 'day')}.`,
      rows: reviews.map((item) => [who(names, item.crn), reviewDue(item), planState(item),
        html`<a class="govuk-link" href="#${planPath(item.crn, item.planId)}">${item.reviewStarted ? 'Continue the review' : 'Review the plan'}<span class="govuk-visually-hidden"> of ${names.get(item.crn) ?? item.crn}</span></a>`]),
    })}`);
  context.ready();
}

function longToday({ year, month, day }) {
  return new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(year, month - 1, day)));
}

// ------------------------------------------------------------------ shared form parts

export function radios(name, legend, options, chosen, { hint = '', legendClass = 'govuk-fieldset__legend--m', hidden = false } = {}) {
  return html`
    <div class="govuk-form-group" id="${name}-group"${hidden ? html` hidden` : ''}>
      <fieldset class="govuk-fieldset"${hint ? html` aria-describedby="${name}-hint"` : ''}>
        <legend class="govuk-fieldset__legend ${legendClass}">${legend}</legend>
        ${hint ? html`<div id="${name}-hint" class="govuk-hint">${hint}</div>` : ''}
        <div class="govuk-radios govuk-radios--small" data-module="govuk-radios">
          ${options.map(([value, label], index) => html`
            <div class="govuk-radios__item">
              <input class="govuk-radios__input" id="${index ? `${name}-${index}` : name}" name="${name}" type="radio"
                     value="${value}" ${value === chosen ? html`checked` : ''}>
              <label class="govuk-label govuk-radios__label" for="${index ? `${name}-${index}` : name}">${label}</label>
            </div>`)}
        </div>
      </fieldset>
    </div>`;
}

function textInput({ id, label, hint = '', value = '', width = 'govuk-input--width-5', numeric = false, labelClass = 'govuk-label--s' }) {
  return html`
    <div class="govuk-form-group">
      <label class="govuk-label ${labelClass}" for="${id}">${label}</label>
      ${hint ? html`<div id="${id}-hint" class="govuk-hint">${hint}</div>` : ''}
      <input class="govuk-input ${width}" id="${id}" name="${id}" type="text" autocomplete="off"
             ${numeric ? html`inputmode="numeric"` : ''} ${hint ? html`aria-describedby="${id}-hint"` : ''} value="${value}">
    </div>`;
}

function itemsOf(problems) {
  return problems.map((p) => ({ ...p, text: p.message, href: `#${p.id}` }));
}

// ------------------------------------------------------------------ arrange an appointment

const ARRANGE_FIELDS = {
  type: { id: 'type', label: 'Type of appointment' },
  start: { id: 'date-day', label: 'Date' },
  end: { id: 'end-time', label: 'End time' },
  requirementId: { id: 'requirement', label: 'Requirement' },
  location: { id: 'location', label: 'Location' },
  notes: { id: 'notes', label: 'Notes' },
  repeat: { id: 'repeat', label: 'Repeat' },
  'repeat.count': { id: 'count', label: 'Number of appointments' },
  'Idempotency-Key': { id: 'type', label: 'This appointment' },
};
const ARRANGE_DRAFT = 'appointment';
const ARRANGE_INPUTS = ['type', 'day', 'month', 'year', 'start-time', 'end-time', 'requirement', 'location', 'repeat', 'count', 'notes'];

function requirementName(requirement) {
  const name = REQUIREMENT_TYPES[requirement.type] ?? words(requirement.type);
  return requirement.length ? `${name}, ${requirement.length} ${words(requirement.lengthUnit).toLowerCase()}` : name;
}

// The request body from the form, or the problems that stop it being sent (the API checks it again).
// Appointments may be arranged ahead or recorded afterwards, within the sentence (the API checks its end).
function appointmentFrom(values, sentence) {
  const problems = [];
  if (!values.type) problems.push({ id: 'type', message: 'Select the type of appointment' });
  const [year, month, day] = String(sentence?.sentenceDate ?? '').split('-').map(Number);
  const { date, problem: dateProblem } = readDate('date of the appointment', values, {
    past: false,
    earliest: sentence ? { year, month, day } : undefined,
    earliestReason: 'the start of the sentence',
  });
  if (dateProblem) {
    const inputs = dateProblem.parts.map((part) => `date-${part}`);
    problems.push({ id: inputs[0], inputs, message: dateProblem.message });
  }
  const { time: startTime, problem: startProblem } = readTime('start time', values['start-time']);
  if (startProblem) problems.push({ id: 'start-time', message: startProblem.message });
  const { time: endTime, problem: endProblem } = readTime('end time', values['end-time']);
  if (endProblem) problems.push({ id: 'end-time', message: endProblem.message });
  const start = date && startTime ? ukInstant(date, startTime) : null;
  const end = date && endTime ? ukInstant(date, endTime) : null;
  if (start && end && end <= start) problems.push({ id: 'end-time', message: 'End time must be after the start time' });
  if (start && end && end - start > 12 * 3600 * 1000) problems.push({ id: 'end-time', message: 'An appointment must be 12 hours or shorter' });
  let count = null;
  if (values.repeat && values.repeat !== 'NONE') {
    const typed = String(values.count ?? '').trim();
    count = Number(typed);
    if (!typed) problems.push({ id: 'count', message: 'Enter how many appointments to arrange' });
    else if (!/^\d+$/.test(typed) || count < 2 || count > MAX_REPEATS) {
      problems.push({ id: 'count', message: `Number of appointments must be a whole number from 2 to ${MAX_REPEATS}` });
    }
  }
  if (String(values.location ?? '').length > 200) problems.push({ id: 'location', message: 'Location must be 200 characters or fewer' });
  if (String(values.notes ?? '').length > NOTES_LIMIT) {
    problems.push({ id: 'notes', message: `Notes must be ${NOTES_LIMIT.toLocaleString('en-GB')} characters or fewer` });
  }
  if (problems.length) return { problems: itemsOf(problems) };
  const body = { type: values.type, start: start.toISOString(), end: end.toISOString() };
  if (values.requirement) body.requirementId = values.requirement;
  if (String(values.location ?? '').trim()) body.location = values.location.trim();
  if (String(values.notes ?? '').trim()) body.notes = values.notes;
  if (count) body.repeat = { interval: values.repeat, count };
  return { body };
}

function example() {
  const { year, month, day } = ukToday(new Date(Date.now() + 7 * 86400000));
  return `${day} ${month} ${year}`;
}

// Each slot a request asks for (a repeat's too), as the API computes them.
function slotsOf(body) {
  const first = [new Date(body.start), new Date(body.end)];
  const count = body.repeat?.count ?? 1;
  const step = (INTERVAL_DAYS[body.repeat?.interval] ?? 0) * 86400000;
  return Array.from({ length: count }, (_, i) => first.map((d) => new Date(d.getTime() + i * step)));
}

// The person's appointments without an outcome that overlap what was asked for: the API's 409 says there
// is a clash, and this shows which.
async function clashesWith(api, crn, body) {
  const slots = slotsOf(body);
  const from = new Date(slots[0][0].getTime() - 12 * 3600 * 1000).toISOString();
  const to = slots.at(-1)[1].toISOString();
  const { data } = await api(`/cases/${crn}/appointments?status=SCHEDULED&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=100`);
  return data.items.filter((a) => slots.some(([s, e]) => new Date(a.start) < e && s < new Date(a.end)));
}

export async function arrangeScreen(context, crn) {
  const { api, main, session } = context;
  const [{ data: overview }, requirements] = await Promise.all([
    api(`/cases/${crn}/overview`),
    api(`/cases/${crn}/requirements`).then(({ data }) => data.items, () => []),
  ]);
  const c = overview.case;
  const name = `${c.firstName} ${c.lastName}`;
  context.title(`Arrange an appointment for ${name}`);
  render(context.beforeContent, backLink(`#/cases/${crn}`));
  let draft = loadDraft(session, ARRANGE_DRAFT, crn);
  const keys = new Map(); // one Idempotency-Key per distinct request, so a retry cannot arrange it twice
  const keyFor = (body) => {
    const text = JSON.stringify(body);
    if (!keys.has(text)) keys.set(text, crypto.randomUUID());
    return keys.get(text);
  };
  let typed = draft?.values ?? {};
  const sentence = currentSentence(overview.convictions);

  render(main, html`
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <div id="errors"></div>
      <div id="clash-slot"></div>
      ${draft ? notificationBanner({ id: 'restored', heading: `Your unsaved draft from ${formatDateTime(draft.savedAt)} has been restored` }) : ''}
      <span class="govuk-caption-l">${name} · CRN ${crn}</span>
      <h1 class="govuk-heading-l">Arrange an appointment</h1>
      ${sentence ? '' : html`<div class="govuk-inset-text">This case has no sentence yet, so no appointment can be arranged.</div>`}
      <form id="appointment-form" novalidate>
        ${radios('type', 'Type of appointment', Object.entries(APPOINTMENT_TYPES), typed.type)}
        <div class="govuk-form-group">
          <fieldset class="govuk-fieldset" role="group" aria-describedby="date-hint">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">Date</legend>
            <div id="date-hint" class="govuk-hint">Today or later, for example ${example()}</div>
            <div class="govuk-date-input" id="date">
              ${['day', 'month', 'year'].map((part) => html`
                <div class="govuk-date-input__item"><div class="govuk-form-group">
                  <label class="govuk-label govuk-date-input__label" for="date-${part}">${words(part)}</label>
                  <input class="govuk-input govuk-date-input__input govuk-input--width-${part === 'year' ? 4 : 2}" id="date-${part}"
                         name="${part}" type="text" inputmode="numeric" value="${typed[part] ?? ''}">
                </div></div>`)}
            </div>
          </fieldset>
        </div>
        ${textInput({ id: 'start-time', label: 'Start time', hint: 'UK time, 24-hour clock, for example 14:30', value: typed['start-time'] ?? '', numeric: true })}
        ${textInput({ id: 'end-time', label: 'End time', hint: 'For example 15:30', value: typed['end-time'] ?? '', numeric: true })}
        <div class="govuk-form-group">
          <label class="govuk-label govuk-label--s" for="requirement">Requirement it counts towards (optional)</label>
          <select class="govuk-select" id="requirement" name="requirement">
            <option value="">Not linked to a requirement</option>
            ${requirements.map((r) => html`<option value="${r.id}" ${r.id === typed.requirement ? html`selected` : ''}>${requirementName(r)}</option>`)}
          </select>
        </div>
        ${textInput({ id: 'location', label: 'Location (optional)', value: typed.location ?? '', width: 'govuk-!-width-two-thirds' })}
        ${radios('repeat', 'Does it repeat?', [['NONE', 'No, just this one'], ...Object.entries(REPEAT_INTERVALS)], typed.repeat ?? 'NONE')}
        <div id="count-group" ${(typed.repeat ?? 'NONE') === 'NONE' ? html`hidden` : ''}>
          ${textInput({ id: 'count', label: 'Number of appointments in all', hint: `Including the first, up to ${MAX_REPEATS}`, value: typed.count ?? '', width: 'govuk-input--width-3', numeric: true })}
        </div>
        ${characterCount({ id: 'notes', label: 'Notes (optional)', hint: 'Kept in this browser for you alone as you type, until the appointment is arranged or you sign out.', value: typed.notes ?? '', limit: NOTES_LIMIT, rows: 4 })}
        <div class="govuk-button-group">
          <button type="submit" class="govuk-button" data-module="govuk-button" id="arrange">Arrange appointment</button>
          <a class="govuk-link" href="#/cases/${crn}">Cancel</a>
        </div>
      </form>
    </div></div>`);
  context.ready();
  const form = main.querySelector('#appointment-form');
  const read = () => Object.fromEntries(ARRANGE_INPUTS.map((field) => [field, new FormData(form).get(field) ?? undefined]));
  form.addEventListener('input', (event) => {
    typed = read();
    main.querySelector('#count-group').hidden = (typed.repeat ?? 'NONE') === 'NONE';
    // Only typed words are kept as a draft: choices alone are quick to make again.
    if (event.target.id === 'notes' || draft) {
      draft = { values: typed };
      saveDraft(session, ARRANGE_DRAFT, crn, draft);
    }
  });
  form.addEventListener('change', () => {
    typed = read();
    main.querySelector('#count-group').hidden = (typed.repeat ?? 'NONE') === 'NONE';
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(false);
  });

  async function submit(allowClash) {
    clearErrors(main);
    render(main.querySelector('#clash-slot'), '');
    const { body, problems } = appointmentFrom(read(), sentence);
    if (problems) {
      showErrors(main, problems);
      return;
    }
    if (allowClash) body.allowClash = true;
    let made;
    try {
      made = await api(`/cases/${crn}/appointments`, { method: 'POST', body, headers: { 'Idempotency-Key': keyFor(body) } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && !allowClash) {
        await showClash(body, error);
        return;
      }
      showErrors(main, error instanceof Unreachable
        ? [{ text: `${error.message} Nothing has been arranged: try again when you are connected.` }]
        : problemItems(error, ARRANGE_FIELDS));
      return;
    }
    discardDraft(session, ARRANGE_DRAFT, crn);
    const count = body.repeat?.count ?? 1;
    context.flash({
      success: `${appointmentType(body.type)} arranged for ${name}: ${formatDateTime(made.data.start)}${count > 1 ? `, and ${plural(count - 1, 'more appointment')} ${REPEAT_INTERVALS[body.repeat.interval].toLowerCase()}` : ''}`,
    });
    context.navigate(`/cases/${crn}`);
  }

  async function showClash(body, error) {
    const found = await clashesWith(api, crn, body).catch(() => []);
    const slot = main.querySelector('#clash-slot');
    render(slot, html`
      <div class="govuk-notification-banner" role="region" aria-labelledby="clash-title" id="clash" tabindex="-1">
        <div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="clash-title">Important</h2></div>
        <div class="govuk-notification-banner__content">
          <p class="govuk-notification-banner__heading">This clashes with ${found.length ? plural(found.length, 'appointment') : 'another appointment'} ${name} already has</p>
          ${found.length ? html`<ul class="govuk-list govuk-list--bullet">${found.map((a) => html`<li>${appointmentType(a.type)}, ${formatDateTime(a.start)} to ${TIME.format(new Date(a.end))}${a.location ? `, ${a.location}` : ''}</li>`)}</ul>`
            : html`<p class="govuk-body">${error.message}</p>`}
          <p class="govuk-body">Nothing has been arranged yet. Change the date or time, or arrange it anyway.</p>
          <div class="govuk-button-group govuk-!-margin-bottom-0">
            <button type="button" class="govuk-button govuk-!-margin-bottom-0" data-module="govuk-button" id="confirm-clash">Arrange it anyway</button>
            <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" id="change-time">Change the date or time</button>
          </div>
        </div>
      </div>`);
    slot.querySelector('#confirm-clash').addEventListener('click', () => submit(true));
    slot.querySelector('#change-time').addEventListener('click', () => {
      render(slot, '');
      main.querySelector('#date-day').focus();
    });
    if (!document.title.startsWith('Clash: ')) document.title = `Clash: ${document.title}`;
    slot.querySelector('#clash').focus();
  }
}

// ------------------------------------------------------------------ record an outcome

const OUTCOME_FIELDS = {
  outcome: { id: 'outcome', label: 'Outcome' },
  enforcementAction: { id: 'action', label: 'Enforcement action' },
  minutesCredited: { id: 'minutes', label: 'Minutes credited' },
  notes: { id: 'notes', label: 'Notes' },
  'If-Match': { id: 'outcome', label: 'This appointment' },
};
const OUTCOME_DRAFT = 'outcome';

function fitOf(outcome) {
  if (UNACCEPTABLE_OUTCOMES.includes(outcome)) return 'UNACCEPTABLE';
  return outcome === AWAITING_EVIDENCE ? 'AFTA' : null;
}

function actionsFor(outcome, licence) {
  const fit = fitOf(outcome);
  return Object.entries(ENFORCEMENT_FITS).filter(([, fits]) => fit && fits.includes(fit))
    .map(([action]) => [action, enforcementActionName(action, { licence })]);
}

function lengthInMinutes(appointment) {
  return Math.round((new Date(appointment.end) - new Date(appointment.start)) / 60000);
}

function outcomeFrom(values, appointment) {
  const problems = [];
  if (!values.outcome) problems.push({ id: 'outcome', message: 'Select the outcome' });
  const fit = fitOf(values.outcome);
  if (fit === 'UNACCEPTABLE' && !values.action) {
    problems.push({ id: 'action', message: 'Select the enforcement action for this failure' });
  }
  let minutes = null;
  if (appointment.type === 'UNPAID_WORK_SESSION') {
    const typed = String(values.minutes ?? '').trim();
    const most = lengthInMinutes(appointment);
    if (typed) {
      minutes = Number(typed);
      if (!/^\d+$/.test(typed) || minutes > most) {
        problems.push({ id: 'minutes', message: `Minutes credited must be a whole number from 0 to ${most} (the session's length)` });
      }
    }
  }
  if (String(values.notes ?? '').length > NOTES_LIMIT) {
    problems.push({ id: 'notes', message: `Notes must be ${NOTES_LIMIT.toLocaleString('en-GB')} characters or fewer` });
  }
  if (problems.length) return { problems: itemsOf(problems) };
  const body = { outcome: values.outcome };
  if (fit && values.action) body.enforcementAction = values.action;
  if (minutes !== null) body.minutesCredited = minutes;
  if (String(values.notes ?? '').trim()) body.notes = values.notes;
  return { body };
}

export async function outcomeScreen(context, crn, appointmentId) {
  const { api, main, session } = context;
  const [{ data: overview }, { data: appointment, etag }] = await Promise.all([
    api(`/cases/${crn}/overview`),
    api(`/cases/${crn}/appointments/${appointmentId}`),
  ]);
  const c = overview.case;
  const name = `${c.firstName} ${c.lastName}`;
  context.title(`Record the outcome of ${name}'s appointment`);
  render(context.beforeContent, backLink(`#${context.listPath()}`));
  const licence = onLicence(currentSentence(overview.convictions));
  const compliance = overview.compliance;
  const draft = loadDraft(session, OUTCOME_DRAFT, appointmentId);
  const typed = {
    outcome: appointment.outcome ?? undefined,
    action: appointment.enforcementAction ?? undefined,
    minutes: appointment.minutesCredited ?? '',
    notes: appointment.outcomeNotes ?? '',
    ...(draft?.values ?? {}),
  };
  const details = summaryList([
    ['Type', appointmentType(appointment.type)],
    ['When', html`${formatDateTime(appointment.start)} to ${TIME.format(new Date(appointment.end))}`],
    appointment.location ? ['Location', appointment.location] : null,
    appointment.outcome ? ['Outcome recorded', html`${outcomeName(appointment.outcome)}${appointment.enforcementAction ? html`: ${enforcementActionName(appointment.enforcementAction, { licence }).toLowerCase()}` : ''}`] : null,
    appointment.evidenceDueDate ? ['Evidence due', formatDate(appointment.evidenceDueDate)] : null,
  ]);
  const heading = html`<span class="govuk-caption-l">${name} · CRN ${crn}</span>
    <h1 class="govuk-heading-l">${appointment.outcome ? 'Change the outcome' : 'Record the outcome'}</h1>`;
  if (['RESCHEDULED', 'CANCELLED'].includes(appointment.status) || !started(appointment)) {
    render(main, html`${heading}${details}
      <div class="govuk-inset-text">${started(appointment)
        ? `This appointment was ${appointment.status.toLowerCase()}: it takes no outcome.`
        : 'This appointment has not started yet. Record its outcome once it has.'}</div>
      <p class="govuk-body"><a class="govuk-link" href="#/cases/${crn}">Go to the case</a></p>`);
    context.ready();
    return;
  }
  const prompt = compliance && (compliance.breachActionRequired || compliance.recallConsiderationRequired || compliance.activeBreach)
    ? html`<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span>
        <strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>${compliance.status}</strong></div>`
    : '';
  const minutesHint = `At most ${lengthInMinutes(appointment)} minutes, the session's length. Leave empty if none are credited.`;
  render(main, html`
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <div id="errors"></div>
      <div id="banner-slot">${draft ? notificationBanner({ id: 'restored', heading: `Your unsaved notes from ${formatDateTime(draft.savedAt)} have been restored` }) : ''}</div>
      ${heading}
      ${details}
      <form id="outcome-form" novalidate>
        ${radios('outcome', 'Outcome', Object.entries(OUTCOME_CODES), typed.outcome)}
        <div id="action-slot"></div>
        ${appointment.type === 'UNPAID_WORK_SESSION' ? textInput({ id: 'minutes', label: 'Minutes credited', hint: minutesHint, value: typed.minutes, width: 'govuk-input--width-4', numeric: true, labelClass: 'govuk-label--m' }) : ''}
        ${characterCount({ id: 'notes', label: 'Notes (optional)', hint: 'Kept in this browser for you alone as you type, until the outcome is recorded or you sign out.', value: typed.notes ?? '', limit: NOTES_LIMIT, rows: 4 })}
        <div class="govuk-button-group">
          <button type="submit" class="govuk-button" data-module="govuk-button">Save outcome</button>
          <a class="govuk-link" href="#/cases/${crn}">Cancel</a>
        </div>
      </form>
    </div></div>`);
  const form = main.querySelector('#outcome-form');
  const read = () => {
    const data = new FormData(form);
    return Object.fromEntries(['outcome', 'action', 'minutes', 'notes'].map((f) => [f, data.get(f) ?? undefined]));
  };
  // The enforcement choices follow the outcome chosen and the sentence (breach on an order, recall on licence).
  const showActions = (outcome, chosen) => {
    const options = actionsFor(outcome, licence);
    const slot = main.querySelector('#action-slot');
    if (!options.length) {
      render(slot, '');
      return;
    }
    const counted = [compliance?.status, compliance?.warnings?.length
      ? `${plural(compliance.warnings.length, 'warning')} in force`
      : `A first failure gets a warning, unless ${licence ? 'recall' : 'breach action'} is taken`];
    const hint = fitOf(outcome) === 'AFTA' ? 'Optional while the evidence is awaited.' : `${counted.filter(Boolean).join('. ')}.`;
    render(slot, html`${prompt}${radios('action', 'Enforcement action', options, chosen, { hint })}`);
  };
  showActions(typed.outcome, typed.action);
  context.ready();
  form.addEventListener('change', (event) => {
    if (event.target.name === 'outcome') showActions(event.target.value, read().action);
  });
  form.addEventListener('input', (event) => {
    if (event.target.id !== 'notes') return;
    saveDraft(session, OUTCOME_DRAFT, appointmentId, { values: { notes: event.target.value } });
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(main);
    const { body, problems } = outcomeFrom(read(), appointment);
    if (problems) {
      showErrors(main, problems);
      return;
    }
    try {
      await api(`/cases/${crn}/appointments/${appointmentId}/outcome`, { method: 'PUT', body, headers: { 'If-Match': etag } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        showErrors(main, [{ text: 'Someone else recorded or changed this appointment\'s outcome while you were here. Go back and open it again to see theirs: your notes are kept.' }]);
        return;
      }
      showErrors(main, error instanceof Unreachable
        ? [{ text: `${error.message} Nothing has been recorded: save again when you are connected.` }]
        : problemItems(error, OUTCOME_FIELDS));
      return;
    }
    discardDraft(session, OUTCOME_DRAFT, appointmentId);
    const action = body.enforcementAction ? `, ${enforcementActionName(body.enforcementAction, { licence }).toLowerCase()}` : '';
    context.flash({ success: `Outcome recorded for ${name}: ${outcomeName(body.outcome).toLowerCase()}${action}` });
    context.navigate(`/cases/${crn}`);
  });
}
