// Endings: a sentence terminated (its date, reason and notes, then a confirmation page that says what will
// happen: appointments cancelled, requirements ended, the case closed), and one requirement ended early.
// Only a manager or the case's practitioner may end either, as the API decides.
import { ApiError, Unreachable } from '../api.mjs';
import { longDate, readDate, ukToday } from '../dates.mjs';
import { checkAnswersFirst, clearErrors, problemItems, readForm, sendOnce, showErrors } from '../forms.mjs';
import { staffName, staffNames } from '../directory.mjs';
import {
  backLink, characterCount, formatDate, formatDateTime, html, plural, render, words,
} from '../view.mjs';
import {
  REQUIREMENT_TERMINATION_REASONS, REQUIREMENT_TYPES, SENTENCE_TYPES, TERMINATION_REASONS,
} from '../wording.mjs';
import { appointmentType, radios } from './appointments.mjs';

const NOTES_LIMIT = 4000; // the API's limit
const PARTS = ['day', 'month', 'year'];
const DATE_INPUTS = PARTS.map((part) => `date-${part}`);
const FIELDS = {
  date: { id: 'date-day', label: 'Date', inputs: DATE_INPUTS },
  reason: { id: 'reason', label: 'Reason' },
  notes: { id: 'notes', label: 'Notes' },
};
const UPCOMING_LIMIT = 100;

// What was typed on the form, kept while its confirmation page is shown (in memory only: notes may be
// sensitive, and a reload starts the form again). Keyed by who, which case and which conviction.
const pendingEndings = new Map();

const pendingKey = (session, crn, number) => `${session.staffCode} ${crn} ${number}`;

// A manager, or the practitioner the case is allocated to: who the API lets end a sentence or requirement.
export function canEnd(session, allocation) {
  return session.roles.includes('manager') || Boolean(allocation?.practitionerCode && allocation.practitionerCode === session.staffCode);
}

export function terminationPath(crn, convictionNumber) {
  return `/cases/${crn}/convictions/${convictionNumber}/termination`;
}

export function terminationReason(code) {
  return TERMINATION_REASONS[code] ?? words(code);
}

export function sentenceName(sentence) {
  return SENTENCE_TYPES[sentence.type] ?? words(sentence.type);
}

export function requirementName(requirement) {
  return REQUIREMENT_TYPES[requirement.type] ?? words(requirement.type);
}

function isoParts(iso) {
  const [year, month, day] = String(iso).split('-').map(Number);
  return { year, month, day };
}

function isoOf({ year, month, day }) {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

async function optional(request) {
  try {
    return (await request).data;
  } catch (error) {
    if (error instanceof ApiError && [403, 404].includes(error.status)) return null;
    throw error;
  }
}

function refused(context, crn, heading, text) {
  context.title(heading);
  render(context.main, html`
    <h1 class="govuk-heading-l">${heading}</h1>
    <p class="govuk-body">${text}</p>
    <p class="govuk-body"><a class="govuk-link" href="#/cases/${crn}">Return to the case</a></p>`);
}

// The case, its allocation and the conviction; or null once a page saying why not has been shown.
async function loadConviction(context, crn, number) {
  const { api, session } = context;
  const [{ data: overview }, allocation] = await Promise.all([
    api(`/cases/${crn}/overview`),
    optional(api(`/cases/${crn}/allocation`)),
  ]);
  const c = overview.case;
  const name = `${c.firstName} ${c.lastName}`;
  const conviction = overview.convictions.find((found) => found.convictionNumber === Number(number));
  render(context.beforeContent, backLink(`#/cases/${crn}`));
  if (!conviction) {
    refused(context, crn, 'Conviction not found', `${name} has no conviction ${number}.`);
    return null;
  }
  if (!canEnd(session, allocation)) {
    refused(context, crn, 'You cannot end this sentence', 'Only a manager or the practitioner the case is allocated to can end a sentence. Ask your senior probation officer if this one has ended.');
    return null;
  }
  if (conviction.termination) {
    const { termination } = conviction;
    refused(context, crn, 'This sentence has already ended', `Ended ${formatDate(termination.date)}: ${terminationReason(termination.reason)}.`);
    return null;
  }
  return { overview, allocation, conviction, name };
}

export function dateInput({ legend, hint, typed = {}, legendClass = 'govuk-fieldset__legend--m' }) {
  return html`
    <div class="govuk-form-group">
      <fieldset class="govuk-fieldset" role="group" aria-describedby="date-hint">
        <legend class="govuk-fieldset__legend ${legendClass}">${legend}</legend>
        <div id="date-hint" class="govuk-hint">${hint}</div>
        <div class="govuk-date-input" id="date">
          ${PARTS.map((part) => html`
            <div class="govuk-date-input__item"><div class="govuk-form-group">
              <label class="govuk-label govuk-date-input__label" for="date-${part}">${words(part)}</label>
              <input class="govuk-input govuk-date-input__input govuk-input--width-${part === 'year' ? 4 : 2}" id="date-${part}"
                     name="${part}" type="text" inputmode="numeric" value="${typed[part] ?? ''}">
            </div></div>`)}
        </div>
      </fieldset>
    </div>`;
}

function dateHint(sentence) {
  const today = ukToday();
  return `Not before ${formatDate(sentence.sentenceDate)}, when the sentence began, and not in the future. For example, ${today.day} ${today.month} ${today.year}`;
}

// The request body from the form, or the problems that stop it being sent (the API checks it again).
function endingFrom(values, sentence, reasons, dateLabel) {
  const problems = [];
  const { date, problem } = readDate(dateLabel, values, {
    earliest: isoParts(sentence.sentenceDate), earliestReason: 'when the sentence began',
  });
  if (problem) {
    const inputs = problem.parts.map((part) => `date-${part}`);
    problems.push({ id: inputs[0], inputs, message: problem.message });
  }
  if (!values.reason || !(values.reason in reasons)) problems.push({ id: 'reason', message: 'Select why it ended' });
  if (String(values.notes ?? '').length > NOTES_LIMIT) {
    problems.push({ id: 'notes', message: `Notes must be ${NOTES_LIMIT.toLocaleString('en-GB')} characters or fewer` });
  }
  if (problems.length) return { problems: problems.map((p) => ({ ...p, text: p.message, href: `#${p.id}` })) };
  const body = { date: isoOf(date), reason: values.reason };
  if (String(values.notes ?? '').trim()) body.notes = values.notes;
  return { body };
}

// The API's dates (2026-10-07) as people write them (7 October 2026).
function readable(text) {
  return String(text ?? '').replace(/\b\d{4}-\d{2}-\d{2}\b/g, (iso) => formatDate(iso));
}

// Problems from the API, each at its field where it has one (a date's at the whole date input).
function apiProblems(error) {
  return problemItems(error, FIELDS).map((item) => {
    const field = Object.values(FIELDS).find((f) => f.id === item.id);
    const worded = { ...item, text: readable(item.text), ...(item.message ? { message: readable(item.message) } : {}) };
    return field?.inputs ? { ...worded, inputs: field.inputs } : worded;
  });
}

// A sentence cannot end while a breach of it is in progress (the API refuses): said before anyone fills in
// the form, and again if the API refuses.
function breachWarning(compliance) {
  const breach = compliance?.activeBreach;
  if (!breach) return '';
  return html`
    <div class="govuk-warning-text" id="breach-warning">
      <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
      <strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>${breachMessage(breach)}</strong>
    </div>`;
}

function breachMessage(breach) {
  return `A breach started on ${formatDate(breach.startedOn)} is still in progress: it must be ended before the sentence can end.`;
}

function unreachable(error) {
  return [{ text: `${error.message} Nothing has been changed: try again when you are connected.` }];
}

const ENDING_FIELDS = [...PARTS, 'reason', 'notes'];

// ------------------------------------------------------------------ end a sentence: the form

export async function terminationScreen(context, crn, number) {
  const { main, session } = context;
  const loaded = await loadConviction(context, crn, number);
  if (!loaded) return;
  const { overview, conviction, name } = loaded;
  const { sentence } = conviction;
  const key = pendingKey(session, crn, number);
  const pending = pendingEndings.get(key);
  const typed = pending?.values ?? {};
  context.title(`End ${name}'s sentence`);
  render(main, html`
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <div id="errors"></div>
      <span class="govuk-caption-l">${name} · CRN ${crn}</span>
      <h1 class="govuk-heading-l">End this sentence</h1>
      <p class="govuk-body">Conviction ${conviction.convictionNumber}: ${sentenceName(sentence)}, ${plural(sentence.lengthMonths, 'month')} from
        ${formatDate(sentence.sentenceDate)}, expected to end ${formatDate(sentence.expectedEndDate)}.</p>
      ${breachWarning(overview.compliance)}
      <form id="termination-form" novalidate>
        ${dateInput({ legend: 'When did the sentence end?', hint: dateHint(sentence), typed })}
        ${radios('reason', 'Why did it end?', Object.entries(TERMINATION_REASONS), typed.reason)}
        ${characterCount({ id: 'notes', label: 'Notes (optional)', hint: 'For example, the court\'s decision or what completing it involved.', value: typed.notes ?? '', limit: NOTES_LIMIT, rows: 4 })}
        <p class="govuk-body">You can check what will happen before the sentence ends.</p>
        <div class="govuk-button-group">
          <button type="submit" class="govuk-button" data-module="govuk-button">Continue</button>
          <a class="govuk-link" href="#/cases/${crn}">Cancel</a>
        </div>
      </form>
    </div></div>`);
  context.ready();
  checkAnswersFirst({
    scope: main,
    form: main.querySelector('#termination-form'),
    fields: ENDING_FIELDS,
    pending: pendingEndings,
    key,
    check: (values) => endingFrom(values, sentence, TERMINATION_REASONS, 'the date the sentence ended'),
    onward: () => context.navigate(`${terminationPath(crn, number)}/confirm`),
  });
}

// ------------------------------------------------------------------ end a sentence: the confirmation

// The future appointments the termination cancels: those linked to the sentence's requirements, or all of
// them when the case closes (as the API decides).
async function toBeCancelled(api, crn, requirementIds, closes) {
  const from = encodeURIComponent(new Date().toISOString());
  const { data } = await api(`/cases/${crn}/appointments?from=${from}&status=SCHEDULED&limit=${UPCOMING_LIMIT}`);
  const items = data.items.filter((a) => closes || requirementIds.includes(a.requirementId));
  return { items, more: Boolean(data.cursor) };
}

function changeLink(crn, number, label) {
  return html`<a class="govuk-link" href="#${terminationPath(crn, number)}">Change<span class="govuk-visually-hidden"> ${label}</span></a>`;
}

function answers(crn, number, body) {
  const rows = [
    ['When it ended', longDate(isoParts(body.date))],
    ['Why it ended', terminationReason(body.reason)],
    ['Notes', body.notes ?? 'None'],
  ];
  return html`<dl class="govuk-summary-list" id="answers">${rows.map(([key, value]) => html`
    <div class="govuk-summary-list__row">
      <dt class="govuk-summary-list__key">${key}</dt>
      <dd class="govuk-summary-list__value app-wrap">${value}</dd>
      <dd class="govuk-summary-list__actions">${changeLink(crn, number, key.toLowerCase())}</dd>
    </div>`)}</dl>`;
}

export async function terminationConfirmScreen(context, crn, number) {
  const { api, main, session } = context;
  const key = pendingKey(session, crn, number);
  const pending = pendingEndings.get(key);
  if (!pending?.body) {
    context.navigate(terminationPath(crn, number)); // nothing typed yet (a reload, say): the form first
    return;
  }
  const loaded = await loadConviction(context, crn, number);
  if (!loaded) return;
  const { overview, allocation, conviction, name } = loaded;
  const { sentence } = conviction;
  render(context.beforeContent, backLink(`#${terminationPath(crn, number)}`));
  const others = overview.convictions.filter((c) => c.convictionNumber !== conviction.convictionNumber && !c.termination);
  const closes = others.length === 0;
  const ending = (sentence.requirements ?? []).map((requirement, index) => ({ ...requirement, id: `${conviction.convictionNumber}-${index + 1}` }))
    .filter((requirement) => !(requirement.id in (conviction.requirementTerminations ?? {})));
  const [cancelled, names] = await Promise.all([
    toBeCancelled(api, crn, ending.map((r) => r.id), closes),
    staffNames(api, [allocation?.practitionerCode]),
  ]);
  const { body } = pending;
  const holder = allocation?.practitionerCode ? staffName(names, allocation.practitionerCode) : null;
  const count = cancelled.more ? `More than ${cancelled.items.length} future appointments` : plural(cancelled.items.length, 'future appointment');
  context.title(`Are you sure you want to end ${name}'s sentence?`);
  render(main, html`
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <div id="errors"></div>
      <span class="govuk-caption-l">${name} · CRN ${crn}</span>
      <h1 class="govuk-heading-l">Are you sure you want to end this sentence?</h1>
      <p class="govuk-body">Conviction ${conviction.convictionNumber}: ${sentenceName(sentence)}, ${plural(sentence.lengthMonths, 'month')} from ${formatDate(sentence.sentenceDate)}.</p>
      ${answers(crn, number, body)}
      ${breachWarning(overview.compliance)}
      <h2 class="govuk-heading-m">What will happen</h2>
      <ul class="govuk-list govuk-list--bullet" id="consequences">
        <li id="cancelled">${cancelled.items.length
          ? `${count} will be cancelled.`
          : 'No future appointments will be cancelled.'}</li>
        <li id="requirements">${ending.length
          ? `Its requirements end with it, marked ${body.reason === 'COMPLETED' ? 'complete' : 'terminated'}: ${ending.map(requirementName).join(', ')}.`
          : 'It has no requirements still to end.'}</li>
        <li id="closes">${closes
          ? `The case will close: ${name} has no other active sentence. It leaves ${holder ? `${holder}'s caseload and workload` : 'the team\'s queue'}. It can still be read, and a new conviction reopens it.`
          : `The case stays open: ${plural(others.length, 'other sentence')} ${others.length === 1 ? 'is' : 'are'} still active.`}</li>
      </ul>
      ${cancelled.items.length ? html`
      <details class="govuk-details">
        <summary class="govuk-details__summary"><span class="govuk-details__summary-text">Appointments to be cancelled</span></summary>
        <div class="govuk-details__text"><ul class="govuk-list">${cancelled.items.map((a) => html`
          <li>${formatDateTime(a.start)}: ${appointmentType(a.type)}</li>`)}</ul></div>
      </details>` : ''}
      <div class="govuk-warning-text">
        <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
        <strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>A sentence cannot be restarted once it has ended.</strong>
      </div>
      <div class="govuk-button-group">
        <button type="button" class="govuk-button govuk-button--warning" data-module="govuk-button" id="confirm">Yes, end this sentence</button>
        <a class="govuk-link" href="#${terminationPath(crn, number)}">No, go back</a>
      </div>
    </div></div>`);
  context.ready();
  sendOnce(main.querySelector('#confirm'), async () => {
    clearErrors(main);
    try {
      await api(`/cases/${crn}/convictions/${number}/termination`, {
        method: 'POST', body, headers: { 'Idempotency-Key': pending.idempotencyKey },
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && apiProblems(error).some((item) => item.id)) {
        // A problem with what was typed: back to the form, shown at its field.
        pending.problems = apiProblems(error);
        context.navigate(terminationPath(crn, number));
        return;
      }
      if (error instanceof ApiError && error.status === 409) {
        // An active breach (or an ending someone else made first): said in words, with the way to the case.
        const breach = await api(`/cases/${crn}/compliance`).then(({ data }) => data.activeBreach, () => null);
        const text = breach ? `${breachMessage(breach)} Nothing has been changed: go to the case to end the breach.` : `${readable(error.message)} Nothing has been changed.`;
        showErrors(main, [{ text, href: `#/cases/${crn}` }]);
        return;
      }
      showErrors(main, error instanceof Unreachable ? unreachable(error) : apiProblems(error));
      return;
    }
    pendingEndings.delete(key);
    context.flash({
      success: `${name}'s sentence ended (conviction ${conviction.convictionNumber}): ${terminationReason(body.reason).toLowerCase()}${closes ? '. The case is closed' : ''}`,
    });
    context.navigate(`/cases/${crn}`);
  });
}

// ------------------------------------------------------------------ end a requirement

export async function requirementTerminationScreen(context, crn, requirementId) {
  const { api, main, session } = context;
  const [{ data: overview }, allocation, requirements] = await Promise.all([
    api(`/cases/${crn}/overview`),
    optional(api(`/cases/${crn}/allocation`)),
    optional(api(`/cases/${crn}/requirements`)),
  ]);
  const c = overview.case;
  const name = `${c.firstName} ${c.lastName}`;
  render(context.beforeContent, backLink(`#/cases/${crn}`));
  const requirement = requirements?.items.find((r) => r.id === requirementId);
  const conviction = overview.convictions.find((found) => found.convictionNumber === Number(requirementId.split('-')[0]));
  if (!requirement || !conviction) {
    refused(context, crn, 'Requirement not found', `${name}'s current sentence has no requirement ${requirementId}.`);
    return;
  }
  if (!canEnd(session, allocation)) {
    refused(context, crn, 'You cannot end this requirement', 'Only a manager or the practitioner the case is allocated to can end a requirement.');
    return;
  }
  const ended = conviction.termination ?? conviction.requirementTerminations?.[requirementId];
  if (ended) {
    refused(context, crn, 'This requirement has already ended', `Ended ${formatDate(ended.date)}: ${(TERMINATION_REASONS[ended.reason] ?? words(ended.reason)).toLowerCase()}.`);
    return;
  }
  const { items: linked, more } = await toBeCancelled(api, crn, [requirementId], false);
  const label = requirementName(requirement);
  context.title(`End ${label} for ${name}`);
  render(main, html`
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <div id="errors"></div>
      <span class="govuk-caption-l">${name} · CRN ${crn}</span>
      <h1 class="govuk-heading-l">End this requirement</h1>
      <p class="govuk-body">${label}${requirement.length ? `, ${requirement.length} ${words(requirement.lengthUnit).toLowerCase()}` : ''}, part of conviction ${conviction.convictionNumber}'s ${sentenceName(conviction.sentence).toLowerCase()}.</p>
      <div class="govuk-inset-text" id="linked">${linked.length
        ? `${more ? `More than ${linked.length}` : plural(linked.length, 'future appointment')} linked to it will be cancelled.`
        : 'No future appointments are linked to it.'} The sentence itself goes on.</div>
      <form id="requirement-form" novalidate>
        ${dateInput({ legend: 'When did the requirement end?', hint: dateHint(conviction.sentence) })}
        ${radios('reason', 'Why did it end?', Object.entries(REQUIREMENT_TERMINATION_REASONS), undefined, { hint: 'Completed: for example, every hour of unpaid work done. Revoked: ended by the court.' })}
        ${characterCount({ id: 'notes', label: 'Notes (optional)', hint: 'For example, the court\'s decision.', limit: NOTES_LIMIT, rows: 3 })}
        <div class="govuk-button-group">
          <button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button">End requirement</button>
          <a class="govuk-link" href="#/cases/${crn}">Cancel</a>
        </div>
      </form>
    </div></div>`);
  context.ready();
  const idempotencyKeys = new Map(); // one key per distinct request, so a retry cannot end it twice
  main.querySelector('#requirement-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(main);
    const { body, problems } = endingFrom(readForm(event.target, ENDING_FIELDS), conviction.sentence, REQUIREMENT_TERMINATION_REASONS, 'the date the requirement ended');
    if (problems) {
      showErrors(main, problems);
      return;
    }
    const text = JSON.stringify(body);
    if (!idempotencyKeys.has(text)) idempotencyKeys.set(text, crypto.randomUUID());
    try {
      await api(`/cases/${crn}/requirements/${requirementId}/termination`, {
        method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKeys.get(text) },
      });
    } catch (error) {
      showErrors(main, error instanceof Unreachable ? unreachable(error) : apiProblems(error));
      return;
    }
    context.flash({ success: `${label} ended for ${name}: ${REQUIREMENT_TERMINATION_REASONS[body.reason].toLowerCase()}` });
    context.navigate(`/cases/${crn}`);
  });
}
