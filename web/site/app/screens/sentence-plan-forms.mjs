// The forms that change a sentence plan: a goal added, a step added, a goal's or a step's status changed, the
// person's agreement recorded (through a check-your-answers page: it locks the version), a countersignature
// or a plan sent back (managers only), a review started. Each sends If-Match with the plan as read; when
// someone else changed it first (412) the latest is read again and what was typed stays in the form.
import { ApiError, Unreachable } from '../api.mjs';
import { readDate, ukToday } from '../dates.mjs';
import { staffName, staffNames } from '../directory.mjs';
import { checkAnswersFirst, clearErrors, problemItems, readForm, sendOnce, showErrors } from '../forms.mjs';
import {
  backLink, characterCount, formatDate, formatDateTime, html, notificationBanner, plural, render, summaryList, words,
} from '../view.mjs';
import {
  AGREEMENT_STATUSES, COUNTERSIGNING_STATUSES, GOAL_STATUSES, PLAN_TYPES, STEP_ACTORS, STEP_STATUSES,
} from '../wording.mjs';
import { appointmentType } from './appointments.mjs';
import { dateInput } from './endings.mjs';
import {
  areaName, awaitsCountersignature, beforeAgreement, goalTarget, isEditable, isManager, loadPlan, lockedReason,
  mayStartReview, planPath, readable, refused,
} from './sentence-plan.mjs';

const TITLE_LIMIT = 200; // the API's limits
const TEXT_LIMIT = 4000;
const DATE_INPUTS = ['date-day', 'date-month', 'date-year'];
const TARGETS = [['3', 'In 3 months'], ['6', 'In 6 months'], ['12', 'In 12 months'], ['DATE', 'Set another date']];
// The grades whose plans wait for a manager's countersignature (the API's reference data, countersignGrades).
const COUNTERSIGNED_GRADES = ['PQiP', 'PSO'];
const APPOINTMENTS_OFFERED = 50;
const TARGET_FIELDS = {
  targetMonths: { id: 'target', label: 'Target' },
  targetDate: { id: 'date-day', label: 'Target date' },
};
const GOAL_FIELDS = {
  title: { id: 'title', label: 'Goal' },
  areaOfNeed: { id: 'area', label: 'Area of need' },
  status: { id: 'status', label: 'Status' },
  ...TARGET_FIELDS,
};
const STEP_FIELDS = {
  description: { id: 'description', label: 'What needs to be done' },
  actor: { id: 'actor', label: 'Who will do it' },
  status: { id: 'status', label: 'Status' },
  appointmentId: { id: 'appointment', label: 'Appointment' },
};
const STATUS_FIELDS = { status: { id: 'status', label: 'Status' }, note: { id: 'note', label: 'Note' }, ...TARGET_FIELDS };
const AGREEMENT_FIELDS = { status: { id: 'status', label: 'Answer' }, notes: { id: 'notes', label: 'Notes' } };

// What was typed on the agreement form, kept while its check-your-answers page is shown (in memory only:
// notes may be sensitive). Keyed by who, which case and which plan.
const pendingAgreements = new Map();

const pendingKey = (session, crn, planId) => `${session.staffCode} ${crn} ${planId}`;

// ------------------------------------------------------------------ form parts

// GOV.UK radios, each option with an optional hint. (No conditional reveals: GOV.UK Frontend marks their radios
// aria-expanded, which ARIA does not allow on a radio and axe refuses; questions that depend on an answer are
// shown once it is given instead.)
function choices({ name, legend, options, chosen, hint = '', legendClass = 'govuk-fieldset__legend--m' }) {
  return html`
    <div class="govuk-form-group">
      <fieldset class="govuk-fieldset"${hint ? html` aria-describedby="${name}-hint"` : ''}>
        <legend class="govuk-fieldset__legend ${legendClass}">${legend}</legend>
        ${hint ? html`<div id="${name}-hint" class="govuk-hint">${hint}</div>` : ''}
        <div class="govuk-radios${legendClass.endsWith('--m') ? '' : ' govuk-radios--small'}" data-module="govuk-radios">
          ${options.map(({ value, label, hint: optionHint }, index) => {
            const id = index ? `${name}-${index}` : name;
            return html`
              <div class="govuk-radios__item">
                <input class="govuk-radios__input" id="${id}" name="${name}" type="radio" value="${value}"
                       ${optionHint ? html`aria-describedby="${id}-item-hint"` : ''} ${value === chosen ? html`checked` : ''}>
                <label class="govuk-label govuk-radios__label" for="${id}">${label}</label>
                ${optionHint ? html`<div id="${id}-item-hint" class="govuk-hint govuk-radios__hint">${optionHint}</div>` : ''}
              </div>`;
          })}
        </div>
      </fieldset>
    </div>`;
}

function tomorrow() {
  const { year, month, day } = ukToday();
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

// The target, asked only of a goal to work on now: its date only when "Set another date" is chosen
// (followChoices shows each as it applies).
function targetQuestions(name) {
  const { month, day, year } = ukToday();
  return html`
    <div id="target-group" hidden>
      ${choices({
        name: 'target',
        legend: `When should ${name} aim to achieve it?`,
        legendClass: 'govuk-fieldset__legend--s',
        options: TARGETS.map(([value, label]) => ({ value, label })),
      })}
      <div id="target-date-group" hidden>
        ${dateInput({ legend: 'Date to achieve it by', hint: `After today, for example ${Math.min(day, 28)} ${month} ${year + 1}`, legendClass: 'govuk-fieldset__legend--s' })}
      </div>
    </div>`;
}

function followChoices(form, asksTarget) {
  const follow = () => {
    const data = new FormData(form);
    form.querySelector('#target-group').hidden = !asksTarget(data.get('status'));
    form.querySelector('#target-date-group').hidden = data.get('target') !== 'DATE';
  };
  form.addEventListener('change', follow);
  follow();
}

// targetMonths or targetDate from the target chosen, or the problem with it added to `problems`.
function targetFrom(values, name, problems) {
  if (!values.target) {
    problems.push({ id: 'target', message: `Select when ${name} should aim to achieve the goal` });
    return {};
  }
  if (values.target !== 'DATE') return { targetMonths: Number(values.target) };
  const { date, problem } = readDate('the date to achieve the goal by', values, { past: false, earliest: tomorrow() });
  if (problem) {
    const inputs = problem.parts.map((part) => `date-${part}`);
    problems.push({ id: inputs[0], inputs, message: problem.message });
    return {};
  }
  return { targetDate: `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}` };
}

function noteProblem(values, problems, { required, message }) {
  const note = String(values.note ?? '');
  if (required && !note.trim()) problems.push({ id: 'note', message });
  else if (note.length > TEXT_LIMIT) problems.push({ id: 'note', message: `The note must be ${TEXT_LIMIT.toLocaleString('en-GB')} characters or fewer` });
}

function itemsOf(problems) {
  return problems.map((problem) => ({ ...problem, text: problem.message, href: `#${problem.id}` }));
}

// The API's field problems at their controls, in words; a date's at the whole date input.
function apiProblems(error, fields) {
  return problemItems(error, fields).map((item) => ({
    ...item,
    text: readable(item.text),
    ...(item.message ? { message: readable(item.message) } : {}),
    ...(item.id === 'date-day' ? { inputs: DATE_INPUTS } : {}),
  }));
}

function page({ name, crn, heading, content }) {
  return html`
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <div id="errors"></div>
      <div id="banner-slot"></div>
      <span class="govuk-caption-l">${name} · CRN ${crn} · Sentence plan</span>
      <h1 class="govuk-heading-l">${heading}</h1>
      ${content}
    </div></div>`;
}

function buttons(label, path) {
  return html`
    <div class="govuk-button-group">
      <button type="submit" class="govuk-button" data-module="govuk-button">${label}</button>
      <a class="govuk-link" href="#${path}">Cancel</a>
    </div>`;
}

// One Idempotency-Key per distinct request, so sending it again cannot make it twice.
function idempotencyKeys() {
  const keys = new Map();
  return (body) => {
    const text = JSON.stringify(body);
    if (!keys.has(text)) keys.set(text, crypto.randomUUID());
    return keys.get(text);
  };
}

// Sends a change with If-Match from the plan as last read (state: {crn, name, plan, etag}), and shows what
// went wrong: the API's field problems at their controls (or hands them to onFieldProblems); after a 412 or
// 409 the latest plan, read again, and either why the change no longer applies to it (whyNot) or that it
// changed, with what was typed kept to send again. The response's data, or null.
async function sendChange(context, state, { send, fields, whyNot, onFieldProblems = null }) {
  const { api, main } = context;
  clearErrors(main);
  render(main.querySelector('#banner-slot'), '');
  try {
    return (await send(state.etag)).data;
  } catch (error) {
    if (error instanceof Unreachable) {
      showErrors(main, [{ text: `${error.message} Nothing has been saved: try again when you are connected.` }]);
      return null;
    }
    if (!(error instanceof ApiError) || ![409, 412].includes(error.status)) {
      const items = apiProblems(error, fields);
      if (onFieldProblems && items.some((item) => item.id)) onFieldProblems(items);
      else showErrors(main, items);
      return null;
    }
    ({ plan: state.plan, etag: state.etag } = await loadPlan(api, state.crn, state.plan.id));
    const reason = whyNot(state.plan, state.name);
    if (reason) {
      showErrors(main, [{ text: `${reason.text} Nothing has been saved.`, href: `#${state.path}` }]);
      return null;
    }
    if (error.status === 409) {
      showErrors(main, [{ text: `${readable(error.message)} Nothing has been saved.` }]);
      return null;
    }
    render(main.querySelector('#banner-slot'), notificationBanner({
      id: 'conflict',
      heading: 'Someone else changed this plan while you were filling this in',
      body: html`<p class="govuk-body">Nothing has been saved. The latest version of the plan has been read, and what you typed is kept: check it and save again.</p>`,
    }));
    showErrors(main, [{ text: 'The plan changed: check what you typed and save again', href: '#conflict' }]);
    return null;
  }
}

// What a change needs: {crn, path, name, plan, etag} as read now; or null once a page saying why the plan
// cannot have it (whyNot: {heading, text}, or null when it can) has been shown.
// The goal (or its step) the address names, in the version read; where there is none, the person is told so.
function named(context, state, goalId, stepId = null) {
  const goal = state.plan.goals.find((g) => g.id === goalId);
  const found = stepId === null ? goal : goal?.steps.find((s) => s.id === stepId);
  const what = stepId === null ? 'goal' : 'step';
  if (!found) {
    refused(context, state.path, `${what === 'goal' ? 'Goal' : 'Step'} not found`,
      `Version ${state.plan.planVersion} of the plan has no such ${what}.`);
  }
  return found;
}

async function loadFor(context, crn, planId, whyNot) {
  const loaded = await loadPlan(context.api, crn, planId);
  const path = planPath(crn, planId);
  render(context.beforeContent, backLink(`#${path}`, 'Back to the sentence plan'));
  const reason = whyNot(loaded.plan, loaded.name);
  if (reason) {
    refused(context, path, reason.heading, reason.text);
    return null;
  }
  return { crn, path, ...loaded };
}

const notEditable = (plan, name) => (isEditable(plan) ? null : { heading: 'This version cannot be changed', text: lockedReason(plan, name) });
const notOpen = (plan, name) => (plan.status === 'ACTIVE' ? null : { heading: 'This plan has ended', text: lockedReason(plan, name) });

function done(context, path, success) {
  context.flash({ success });
  context.navigate(path);
}

// ------------------------------------------------------------------ add a goal

function goalFrom(values, name) {
  const problems = [];
  const title = String(values.title ?? '').trim();
  if (!title) problems.push({ id: 'title', message: 'Enter the goal' });
  else if (title.length > TITLE_LIMIT) problems.push({ id: 'title', message: `The goal must be ${TITLE_LIMIT} characters or fewer` });
  if (values.area === undefined) problems.push({ id: 'area', message: 'Select the area of need the goal is about, or none of them' });
  if (!values.status) problems.push({ id: 'status', message: `Select whether ${name} can start working on this goal now` });
  const target = values.status === 'ACTIVE' ? targetFrom(values, name, problems) : {};
  if (problems.length) return { problems: itemsOf(problems) };
  return { body: { title, status: values.status, ...(values.area ? { areaOfNeed: values.area } : {}), ...target } };
}

export async function goalScreen(context, crn, planId) {
  const { api, main } = context;
  const state = await loadFor(context, crn, planId, notEditable);
  if (!state) return;
  const { name, path } = state;
  context.title(`Add a goal to ${name}'s sentence plan`);
  render(main, page({
    name,
    crn,
    heading: 'Add a goal',
    content: html`
      <form id="goal-form" novalidate>
        <div class="govuk-form-group">
          <label class="govuk-label govuk-label--m" for="title">What is the goal?</label>
          <div id="title-hint" class="govuk-hint">Agree it with ${name}, in words they would use. For example, “Find somewhere settled to live”.</div>
          <input class="govuk-input" id="title" name="title" type="text" autocomplete="off" aria-describedby="title-hint">
        </div>
        ${choices({
          name: 'area',
          legend: 'Which area of need is it about?',
          hint: 'The plan\'s areas, most pressing first.',
          options: [
            ...state.plan.areasOfNeed.map((area) => ({ value: area.area, label: area.name })),
            { value: '', label: 'None of these areas' },
          ],
        })}
        ${choices({
          name: 'status',
          legend: `Can ${name} start working on this goal now?`,
          options: [
            { value: 'ACTIVE', label: 'Yes, it is a goal to work on now' },
            { value: 'FUTURE', label: 'No, it is a future goal', hint: 'It has no target date until it becomes a goal to work on now.' },
          ],
        })}
        ${targetQuestions(name)}
        ${buttons('Save goal', path)}
      </form>`,
  }));
  context.ready();
  const keyFor = idempotencyKeys();
  followChoices(main.querySelector('#goal-form'), (status) => status === 'ACTIVE');
  main.querySelector('#goal-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(main);
    const { body, problems } = goalFrom(readForm(event.target, ['title', 'area', 'status', 'target', 'day', 'month', 'year']), name);
    if (problems) {
      showErrors(main, problems);
      return;
    }
    const changed = await sendChange(context, state, {
      fields: GOAL_FIELDS,
      whyNot: notEditable,
      send: (etag) => api(`${path}/goals`, { method: 'POST', body, headers: { 'If-Match': etag, 'Idempotency-Key': keyFor(body) } }),
    });
    if (changed) done(context, path, `Goal added: ${body.title}`);
  });
}

// ------------------------------------------------------------------ add a step

function stepFrom(values) {
  const problems = [];
  const description = String(values.description ?? '').trim();
  if (!description) problems.push({ id: 'description', message: 'Enter what needs to be done' });
  else if (description.length > TEXT_LIMIT) problems.push({ id: 'description', message: `What needs to be done must be ${TEXT_LIMIT.toLocaleString('en-GB')} characters or fewer` });
  if (!values.actor) problems.push({ id: 'actor', message: 'Select who will do it' });
  if (!values.status) problems.push({ id: 'status', message: 'Select the step\'s status' });
  if (problems.length) return { problems: itemsOf(problems) };
  return {
    body: { description, actor: values.actor, status: values.status, ...(values.appointment ? { appointmentId: values.appointment } : {}) },
  };
}

// The case's appointments still to come, any of which a step may be about.
async function upcomingAppointments(api, crn) {
  const from = encodeURIComponent(new Date().toISOString());
  const { data } = await api(`/cases/${crn}/appointments?from=${from}&status=SCHEDULED&limit=${APPOINTMENTS_OFFERED}`);
  return data.items;
}

export async function stepScreen(context, crn, planId, goalId) {
  const { api, main } = context;
  const [state, appointments] = await Promise.all([
    loadFor(context, crn, planId, notEditable),
    upcomingAppointments(api, crn),
  ]);
  if (!state) return;
  const { name, path } = state;
  const goal = named(context, state, goalId);
  if (!goal) return;
  context.title(`Add a step to ${name}'s goal`);
  render(main, page({
    name,
    crn,
    heading: 'Add a step',
    content: html`
      <p class="govuk-body">To the goal “${goal.title}”.</p>
      <form id="step-form" novalidate>
        ${characterCount({ id: 'description', label: 'What needs to be done?', hint: 'One action, for example “Register with the council\'s housing options team”.', limit: TEXT_LIMIT, rows: 3 })}
        ${choices({
          name: 'actor',
          legend: 'Who will do it?',
          options: Object.entries(STEP_ACTORS).map(([value, label]) => ({ value, label })),
        })}
        ${choices({
          name: 'status',
          legend: 'Status',
          chosen: 'NOT_STARTED',
          options: Object.entries(STEP_STATUSES).map(([value, label]) => ({ value, label })),
        })}
        <div class="govuk-form-group">
          <label class="govuk-label govuk-label--s" for="appointment">Appointment it is about (optional)</label>
          <div id="appointment-hint" class="govuk-hint">One of ${name}'s appointments still to come. The plan shows it as it stands, with its outcome once recorded.</div>
          <select class="govuk-select" id="appointment" name="appointment" aria-describedby="appointment-hint">
            <option value="">Not about an appointment</option>
            ${appointments.map((a) => html`<option value="${a.id}">${appointmentType(a.type)}, ${formatDateTime(a.start)}</option>`)}
          </select>
        </div>
        ${buttons('Save step', path)}
      </form>`,
  }));
  context.ready();
  const keyFor = idempotencyKeys();
  main.querySelector('#step-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(main);
    const { body, problems } = stepFrom(readForm(event.target, ['description', 'actor', 'status', 'appointment']));
    if (problems) {
      showErrors(main, problems);
      return;
    }
    const changed = await sendChange(context, state, {
      fields: STEP_FIELDS,
      whyNot: notEditable,
      send: (etag) => api(`${path}/goals/${goalId}/steps`, { method: 'POST', body, headers: { 'If-Match': etag, 'Idempotency-Key': keyFor(body) } }),
    });
    if (changed) done(context, path, `Step added to “${goal.title}”`);
  });
}

// ------------------------------------------------------------------ a goal's status

const NOTE_NEEDED = {
  ACHIEVED: 'Enter a note about how the goal was achieved',
  REMOVED: 'Enter why the goal is being removed',
};

function goalStatusFrom(values, goal, name) {
  const problems = [];
  if (!values.status) problems.push({ id: 'status', message: 'Select the goal\'s new status' });
  const target = values.status === 'ACTIVE' && !goal.targetDate ? targetFrom(values, name, problems) : {};
  noteProblem(values, problems, { required: values.status in NOTE_NEEDED, message: NOTE_NEEDED[values.status] });
  if (problems.length) return { problems: itemsOf(problems) };
  const note = String(values.note ?? '').trim();
  return { body: { status: values.status, ...(note ? { note } : {}), ...target } };
}

export async function goalStatusScreen(context, crn, planId, goalId) {
  const { api, main } = context;
  const state = await loadFor(context, crn, planId, notOpen);
  if (!state) return;
  const { name, path } = state;
  const goal = named(context, state, goalId);
  if (!goal) return;
  const hints = {
    ACTIVE: goal.status === 'FUTURE' ? `${name} starts working on it now.` : 'Back on the plan, to work on now.',
    FUTURE: 'Not to work on yet. Its target date is cleared.',
    ACHIEVED: 'Needs a note about how it was achieved.',
    REMOVED: 'Needs a note about why. It stays on the plan, marked removed, and can be brought back.',
  };
  context.title(`Change the status of ${name}'s goal`);
  render(main, page({
    name,
    crn,
    heading: 'Change the goal\'s status',
    content: html`
      ${summaryList([
        ['Goal', html`<span class="app-wrap">${goal.title}</span>`],
        ['Status now', GOAL_STATUSES[goal.status]],
        ['Area of need', goal.areaOfNeed ? areaName(state.plan, goal.areaOfNeed) : 'None'],
        ['Target', goalTarget(goal)],
      ])}
      <form id="goal-status-form" novalidate>
        ${choices({
          name: 'status',
          legend: 'What is its status now?',
          options: Object.entries(GOAL_STATUSES).filter(([value]) => value !== goal.status).map(([value, label]) => ({
            value,
            label,
            hint: hints[value],
          })),
        })}
        ${targetQuestions(name)}
        ${characterCount({ id: 'note', label: 'Note', hint: 'Needed when the goal is achieved or removed; optional otherwise. Kept with the goal.', limit: TEXT_LIMIT, rows: 3 })}
        ${buttons('Save status', path)}
      </form>`,
  }));
  context.ready();
  followChoices(main.querySelector('#goal-status-form'), (status) => status === 'ACTIVE' && !goal.targetDate);
  main.querySelector('#goal-status-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(main);
    const { body, problems } = goalStatusFrom(readForm(event.target, ['status', 'note', 'target', 'day', 'month', 'year']), goal, name);
    if (problems) {
      showErrors(main, problems);
      return;
    }
    const changed = await sendChange(context, state, {
      fields: STATUS_FIELDS,
      whyNot: notOpen,
      send: (etag) => api(`${path}/goals/${goalId}`, { method: 'PATCH', body, headers: { 'If-Match': etag } }),
    });
    if (changed) done(context, path, `“${goal.title}” is now ${GOAL_STATUSES[body.status].toLowerCase()}`);
  });
}

// ------------------------------------------------------------------ a step's status

export async function stepStatusScreen(context, crn, planId, goalId, stepId) {
  const { api, main } = context;
  const state = await loadFor(context, crn, planId, notOpen);
  if (!state) return;
  const { name, path } = state;
  const step = named(context, state, goalId, stepId);
  if (!step) return;
  context.title(`Update a step of ${name}'s plan`);
  render(main, page({
    name,
    crn,
    heading: 'Update the step\'s status',
    content: html`
      ${summaryList([
        ['Step', html`<span class="app-wrap">${step.description}</span>`],
        ['Who', STEP_ACTORS[step.actor] ?? words(step.actor)],
        ['Status now', STEP_STATUSES[step.status]],
      ])}
      <form id="step-status-form" novalidate>
        ${choices({
          name: 'status',
          legend: 'What is its status now?',
          options: Object.entries(STEP_STATUSES).filter(([value]) => value !== step.status).map(([value, label]) => ({ value, label })),
        })}
        ${characterCount({ id: 'note', label: 'Note (optional)', hint: 'For example, what happened or what is in the way. Kept with the step.', limit: TEXT_LIMIT, rows: 3 })}
        ${buttons('Save status', path)}
      </form>`,
  }));
  context.ready();
  main.querySelector('#step-status-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(main);
    const values = readForm(event.target, ['status', 'note']);
    const problems = [];
    if (!values.status) problems.push({ id: 'status', message: 'Select the step\'s new status' });
    noteProblem(values, problems, { required: false });
    if (problems.length) {
      showErrors(main, itemsOf(problems));
      return;
    }
    const note = String(values.note ?? '').trim();
    const body = { status: values.status, ...(note ? { note } : {}) };
    const changed = await sendChange(context, state, {
      fields: STATUS_FIELDS,
      whyNot: notOpen,
      send: (etag) => api(`${path}/goals/${goalId}/steps/${stepId}`, { method: 'PATCH', body, headers: { 'If-Match': etag } }),
    });
    if (changed) done(context, path, `Step now ${STEP_STATUSES[body.status].toLowerCase()}: ${step.description}`);
  });
}

// ------------------------------------------------------------------ the person's agreement: the form

const notReadyToAgree = (plan, name) => {
  const locked = notEditable(plan, name);
  if (locked) return locked;
  const needed = beforeAgreement(plan);
  return needed.length ? { heading: `${name}'s agreement cannot be recorded yet`, text: `${needed.join('. ')}.` } : null;
};

function agreementAnswers(name) {
  return [
    { value: 'AGREED', label: `Yes, ${name} agrees` },
    { value: 'DO_NOT_AGREE', label: `No, ${name} does not agree` },
    { value: 'COULD_NOT_ANSWER', label: `${name} could not answer`, hint: 'For example, they were not well enough to take part.' },
  ];
}

function agreementFrom(values, name) {
  const problems = [];
  if (!values.status) problems.push({ id: 'status', message: `Select whether ${name} agrees to the plan` });
  const notes = String(values.notes ?? '');
  if (values.status && values.status !== 'AGREED' && !notes.trim()) {
    problems.push({ id: 'notes', message: `Enter why ${name} ${values.status === 'DO_NOT_AGREE' ? 'does not agree' : 'could not answer'}` });
  } else if (notes.length > TEXT_LIMIT) {
    problems.push({ id: 'notes', message: `Notes must be ${TEXT_LIMIT.toLocaleString('en-GB')} characters or fewer` });
  }
  if (problems.length) return { problems: itemsOf(problems) };
  return { body: { status: values.status, ...(notes.trim() ? { notes: notes.trim() } : {}) } };
}

export async function agreementScreen(context, crn, planId) {
  const { main, session } = context;
  const loaded = await loadFor(context, crn, planId, notReadyToAgree);
  if (!loaded) return;
  const { name, path, plan } = loaded;
  const key = pendingKey(session, crn, planId);
  const pending = pendingAgreements.get(key);
  const typed = pending?.values ?? {};
  context.title(`Record ${name}'s agreement to the plan`);
  render(main, page({
    name,
    crn,
    heading: `Record ${name}'s agreement`,
    content: html`
      <p class="govuk-body">To version ${plan.planVersion} of the plan: ${plural(plan.goals.length, 'goal')}. Go through each goal and its steps with ${name} first.</p>
      <form id="agreement-form" novalidate>
        ${choices({ name: 'status', legend: `Does ${name} agree to this plan?`, options: agreementAnswers(name), chosen: typed.status })}
        ${characterCount({ id: 'notes', label: 'Notes', hint: 'Needed if they do not agree or could not answer: say why. Optional if they agree.', value: typed.notes ?? '', limit: TEXT_LIMIT, rows: 4 })}
        <p class="govuk-body">You can check your answers before the agreement is recorded.</p>
        ${buttons('Continue', path)}
      </form>`,
  }));
  context.ready();
  checkAnswersFirst({
    scope: main,
    form: main.querySelector('#agreement-form'),
    fields: ['status', 'notes'],
    pending: pendingAgreements,
    key,
    check: (values) => agreementFrom(values, name),
    onward: () => context.navigate(`${path}/agreement/confirm`),
  });
}

// ------------------------------------------------------------------ the person's agreement: check and record

async function ownGrade(api, session) {
  try {
    return (await api(`/allocation/practitioners/${encodeURIComponent(session.staffCode)}`)).data.grade;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null; // not a practitioner: self-signed
    throw error;
  }
}

function whatHappens(plan, name, grade) {
  const countersigned = COUNTERSIGNED_GRADES.includes(grade);
  const ending = plan.type === 'TERMINATE';
  return html`
    <ul class="govuk-list govuk-list--bullet" id="consequences">
      <li id="locks">Version ${plan.planVersion} will be locked: its goals and steps can no longer be added, changed or reordered, only their
        progress recorded. To change the plan after that, start a review.</li>
      <li id="signing">${countersigned
        ? `You are a ${grade}, so the plan will then wait for a manager's countersignature. The manager may send it back with a reason instead, which makes it a draft again.`
        : 'You sign it yourself: it does not need a countersignature.'}</li>
      <li id="review">${ending
        ? `Agreeing this version ends the plan${countersigned ? ' once it is countersigned' : ''}. A new plan can then be made from the case.`
        : `The plan will be due for review in ${plural(plan.reviewIntervalMonths, 'month')}.`}</li>
    </ul>`;
}

function goalsToAgree(plan) {
  return html`<ol class="govuk-list govuk-list--number" id="goals-to-agree">${plan.goals.map((goal) => html`
    <li class="app-wrap">${goal.title}: ${GOAL_STATUSES[goal.status].toLowerCase()}, ${plural(goal.steps.length, 'step')}</li>`)}</ol>`;
}

export async function agreementConfirmScreen(context, crn, planId) {
  const { api, main, session } = context;
  const key = pendingKey(session, crn, planId);
  const pending = pendingAgreements.get(key);
  const formPath = `${planPath(crn, planId)}/agreement`;
  if (!pending?.body) {
    context.navigate(formPath); // nothing typed yet (a reload, say): the form first
    return;
  }
  const [state, grade] = await Promise.all([loadFor(context, crn, planId, notReadyToAgree), ownGrade(api, session)]);
  if (!state) return;
  const { name, path } = state;
  render(context.beforeContent, backLink(`#${formPath}`));
  const { body } = pending;
  const answer = agreementAnswers(name).find((option) => option.value === body.status).label;
  context.title(`Check ${name}'s agreement before it is recorded`);
  const show = () => render(main.querySelector('#check'), html`
    <h2 class="govuk-heading-m">What ${name} is agreeing to</h2>
    ${goalsToAgree(state.plan)}
    <h2 class="govuk-heading-m">What will happen</h2>
    ${whatHappens(state.plan, name, grade)}`);
  render(main, page({
    name,
    crn,
    heading: 'Check the agreement before it is recorded',
    content: html`
      <dl class="govuk-summary-list" id="answers">${[[`Does ${name} agree?`, answer], ['Notes', body.notes ?? 'None']].map(([label, value]) => html`
        <div class="govuk-summary-list__row">
          <dt class="govuk-summary-list__key">${label}</dt>
          <dd class="govuk-summary-list__value app-wrap">${value}</dd>
          <dd class="govuk-summary-list__actions"><a class="govuk-link" href="#${formPath}">Change<span class="govuk-visually-hidden"> ${label.toLowerCase()}</span></a></dd>
        </div>`)}</dl>
      <div id="check"></div>
      <div class="govuk-warning-text">
        <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
        <strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>The answer cannot be changed once it is recorded.</strong>
      </div>
      <div class="govuk-button-group">
        <button type="button" class="govuk-button" data-module="govuk-button" id="confirm">Record the agreement and lock version ${state.plan.planVersion}</button>
        <a class="govuk-link" href="#${formPath}">No, go back</a>
      </div>`,
  }));
  show();
  context.ready();
  sendOnce(main.querySelector('#confirm'), async () => {
    const agreed = await sendChange(context, state, {
      fields: AGREEMENT_FIELDS,
      whyNot: notReadyToAgree,
      send: (etag) => api(`${path}/agreement`, { method: 'POST', body, headers: { 'If-Match': etag, 'Idempotency-Key': pending.idempotencyKey } }),
      // A problem with what was typed: back to the form, shown at its field.
      onFieldProblems: (problems) => {
        pending.problems = problems;
        context.navigate(formPath);
      },
    });
    if (!agreed) {
      show(); // what is being agreed to, as the plan last read has it
      return;
    }
    pendingAgreements.delete(key);
    const waiting = agreed.countersigningStatus === 'AWAITING_COUNTERSIGN' ? ': it now waits for a manager\'s countersignature' : '';
    done(context, path, `${name}'s agreement recorded (${AGREEMENT_STATUSES[agreed.agreementStatus].toLowerCase()}). Version ${agreed.planVersion} is locked${waiting}`);
  });
}

// ------------------------------------------------------------------ countersign, or send back

export async function countersignScreen(context, crn, planId) {
  const { api, main, session } = context;
  const path = planPath(crn, planId);
  if (!isManager(session)) {
    render(context.beforeContent, backLink(`#${path}`, 'Back to the sentence plan'));
    refused(context, path, 'You cannot countersign plans', 'Only managers countersign a sentence plan or send it back. Ask your senior probation officer.');
    return;
  }
  const notWaiting = (plan) => (awaitsCountersignature(plan) ? null : {
    heading: 'This plan is not waiting for a countersignature',
    text: `Version ${plan.planVersion} is ${COUNTERSIGNING_STATUSES[plan.countersigningStatus].toLowerCase()}.`,
  });
  const state = await loadFor(context, crn, planId, notWaiting);
  if (!state) return;
  const { name } = state;
  const { agreement } = state.plan;
  const author = staffName(await staffNames(api, [agreement.recordedBy]), agreement.recordedBy);
  context.title(`Countersign ${name}'s sentence plan`);
  render(main, page({
    name,
    crn,
    heading: `Countersign version ${state.plan.planVersion}, or send it back`,
    content: html`
      ${summaryList([
        ['Agreement recorded by', `${author}${agreement.recordedByGrade ? ` (${agreement.recordedByGrade})` : ''}`],
        [`${name}'s answer`, AGREEMENT_STATUSES[agreement.status]],
        ['Recorded', formatDateTime(agreement.recordedAt)],
        ['Notes', html`<span class="app-wrap">${agreement.notes ?? 'None'}</span>`],
        ['Type', PLAN_TYPES[state.plan.type]],
      ])}
      <h2 class="govuk-heading-m">Goals</h2>
      ${goalsToAgree(state.plan)}
      <p class="govuk-body"><a class="govuk-link" href="#${path}">Read the whole plan</a> before you decide.</p>
      <h2 class="govuk-heading-m">Countersign it</h2>
      <form id="countersign-form" novalidate>
        ${characterCount({ id: 'countersign-notes', label: 'Notes (optional)', hint: 'For the author and the case record.', limit: TEXT_LIMIT, rows: 3 })}
        <button type="submit" class="govuk-button" data-module="govuk-button">Countersign version ${state.plan.planVersion}</button>
      </form>
      <h2 class="govuk-heading-m">Send it back</h2>
      <form id="rejection-form" novalidate>
        ${characterCount({ id: 'reason', label: 'Why are you sending it back?', hint: `${author} reads this. The version becomes a draft again, for them to change and agree with ${name} again.`, limit: TEXT_LIMIT, rows: 3 })}
        <button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button">Send back</button>
      </form>`,
  }));
  context.ready();
  const keyFor = idempotencyKeys();
  main.querySelector('#countersign-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const notes = String(new FormData(event.target).get('countersign-notes') ?? '').trim();
    if (notes.length > TEXT_LIMIT) {
      showErrors(main, itemsOf([{ id: 'countersign-notes', message: `Notes must be ${TEXT_LIMIT.toLocaleString('en-GB')} characters or fewer` }]));
      return;
    }
    const body = notes ? { notes } : {};
    const signed = await sendChange(context, state, {
      whyNot: notWaiting,
      fields: { notes: { id: 'countersign-notes', label: 'Notes' } },
      send: (etag) => api(`${path}/countersignature`, { method: 'POST', body, headers: { 'If-Match': etag, 'Idempotency-Key': keyFor(body) } }),
    });
    if (signed) done(context, path, `Version ${signed.planVersion} of ${name}'s plan countersigned`);
  });
  main.querySelector('#rejection-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(main);
    const reason = String(new FormData(event.target).get('reason') ?? '').trim();
    if (!reason || reason.length > TEXT_LIMIT) {
      const message = reason ? `The reason must be ${TEXT_LIMIT.toLocaleString('en-GB')} characters or fewer` : 'Enter why you are sending the plan back';
      showErrors(main, itemsOf([{ id: 'reason', message }]));
      return;
    }
    const body = { reason };
    const rejected = await sendChange(context, state, {
      whyNot: notWaiting,
      fields: { reason: { id: 'reason', label: 'Reason' } },
      send: (etag) => api(`${path}/rejection`, { method: 'POST', body, headers: { 'If-Match': etag, 'Idempotency-Key': keyFor(body) } }),
    });
    if (rejected) done(context, path, `Version ${rejected.planVersion} sent back to ${author}: it is a draft again`);
  });
}

// ------------------------------------------------------------------ start a review

const REVIEW_TYPES = [
  { value: 'REVIEW', label: 'Review the plan', hint: 'At its review date, or when something important has changed.' },
  { value: 'TERMINATE', label: 'End the plan', hint: 'At the end of the sentence: agreeing this version closes the plan.' },
  { value: 'TRANSFER', label: 'Transfer', hint: 'The case is moving to another area or provider.' },
];

function cannotReview(plan, name) {
  if (mayStartReview(plan)) return null;
  const heading = 'A review cannot be started now';
  if (plan.status === 'CLOSED') return { heading, text: lockedReason(plan, name) };
  if (awaitsCountersignature(plan)) {
    return { heading, text: `Version ${plan.planVersion} is waiting for a manager's countersignature: a review can start once it is countersigned.` };
  }
  return { heading, text: `Version ${plan.planVersion} is still a draft: change it, or record ${name}'s agreement, instead.` };
}

export async function reviewScreen(context, crn, planId) {
  const { api, main } = context;
  const state = await loadFor(context, crn, planId, cannotReview);
  if (!state) return;
  const { name, path } = state;
  const next = state.plan.planVersion + 1;
  context.title(`Start a review of ${name}'s sentence plan`);
  render(main, page({
    name,
    crn,
    heading: 'Start a review',
    content: html`
      <p class="govuk-body">A new draft, version ${next}, is made with the goals and steps carried over and the areas of need from
        ${name}'s latest completed OASys assessment. Version ${state.plan.planVersion} stays as it was, and can be read from the list of versions.</p>
      <p class="govuk-body">The plan stays due for review on ${formatDate(state.plan.reviewDue)} until version ${next} is agreed.</p>
      <form id="review-form" novalidate>
        ${choices({ name: 'type', legend: 'Why is the plan changing?', options: REVIEW_TYPES })}
        ${buttons('Start the review', path)}
      </form>`,
  }));
  context.ready();
  const keyFor = idempotencyKeys();
  main.querySelector('#review-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(main);
    const type = new FormData(event.target).get('type');
    if (!type) {
      showErrors(main, itemsOf([{ id: 'type', message: 'Select why the plan is changing' }]));
      return;
    }
    const body = { type };
    const reviewed = await sendChange(context, state, {
      fields: { type: { id: 'type', label: 'Why the plan is changing' } },
      whyNot: cannotReview,
      send: (etag) => api(`${path}/reviews`, { method: 'POST', body, headers: { 'If-Match': etag, 'Idempotency-Key': keyFor(body) } }),
    });
    if (reviewed) done(context, path, `Version ${reviewed.planVersion} started: change its goals and steps with ${name}, then record their agreement`);
  });
}
