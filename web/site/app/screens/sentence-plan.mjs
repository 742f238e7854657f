// A sentence plan as its practitioner and their manager read it: the areas of need the latest completed OASys
// assessment ranks, each with why it is a need; the goals in their order with their steps, moved with "Move
// up" and "Move down" (If-Match: the plan as read); the person's agreement and its countersignature; and the
// versions, each readable as it was. The forms that change a plan are in sentence-plan-forms.mjs.
import { initAll } from '/govuk/govuk-frontend.min.js';
import { ApiError, Unreachable } from '../api.mjs';
import { answerWords, questionCatalogue, questionNumber, questionTitle } from '../catalogue.mjs';
import { staffName, staffNames } from '../directory.mjs';
import { clearErrors, problemItems, showErrors } from '../forms.mjs';
import {
  backLink, formatDate, formatDateTime, html, notificationBanner, plural, render, summaryList, words,
} from '../view.mjs';
import {
  AGREEMENT_STATUSES, APPOINTMENT_STATUSES, COUNTERSIGNING_STATUSES, GOAL_STATUSES, PLAN_TYPES, STEP_ACTORS,
  STEP_STATUSES,
} from '../wording.mjs';
import { appointmentType, outcomeName } from './appointments.mjs';

const AGREEMENT_COLOURS = { DRAFT: 'grey', AGREED: 'green', DO_NOT_AGREE: 'red', COULD_NOT_ANSWER: 'yellow' };
const COUNTERSIGNING_COLOURS = {
  UNSIGNED: 'grey', SELF_SIGNED: 'green', AWAITING_COUNTERSIGN: 'orange', COUNTERSIGNED: 'green', REJECTED: 'red',
};
const GOAL_COLOURS = { ACTIVE: 'turquoise', FUTURE: 'grey', ACHIEVED: 'green', REMOVED: 'red' };
const STEP_COLOURS = {
  NOT_STARTED: 'grey', IN_PROGRESS: 'turquoise', COMPLETED: 'green', CANNOT_BE_DONE_YET: 'yellow', NO_LONGER_NEEDED: 'grey',
};
const LIVE_GOALS = ['ACTIVE', 'FUTURE'];
// The API's codes that can appear in its messages, and the words they stand for.
const CODE_WORDS = new Map([GOAL_STATUSES, STEP_STATUSES, AGREEMENT_STATUSES, COUNTERSIGNING_STATUSES, PLAN_TYPES]
  .flatMap((wording) => Object.entries(wording)));
const CODES = new RegExp(`\\b(${[...CODE_WORDS.keys()].join('|')})\\b`, 'g');

export function planPath(crn, planId) {
  return `/cases/${crn}/sentence-plans/${planId}`;
}

// What may be done with a plan's current version, as the API decides (service.py).
export function isEditable(plan) {
  return plan.status === 'ACTIVE' && !plan.locked;
}

export function awaitsCountersignature(plan) {
  return plan.countersigningStatus === 'AWAITING_COUNTERSIGN';
}

export function mayStartReview(plan) {
  return plan.status === 'ACTIVE' && plan.locked && !awaitsCountersignature(plan);
}

export function isManager(session) {
  return session.roles.includes('manager');
}

// What the API needs before the person's agreement is recorded, in words: nothing when it is ready.
export function beforeAgreement(plan) {
  const live = plan.goals.filter((goal) => LIVE_GOALS.includes(goal.status));
  if (!live.length) return ['Add a goal to work on now, or a future goal'];
  return live.filter((goal) => goal.status === 'ACTIVE' && !goal.steps.length).map((goal) => `Add a step to “${goal.title}”`);
}

// Why goals and steps can no longer change: the plan ended, or the person's agreement locked the version.
export function lockedReason(plan, name) {
  if (plan.status === 'CLOSED') return 'This plan has ended: the version that ends it was agreed, so nothing on it can change.';
  return `Version ${plan.planVersion} is locked: ${name}'s agreement was recorded (${AGREEMENT_STATUSES[plan.agreementStatus].toLowerCase()}). `
    + 'Its goals and steps can no longer be added, changed or reordered, only their progress recorded. Start a review to make a new version that can be changed.';
}

// The API's messages with its codes in words and its dates as people write them.
export function readable(text) {
  return String(text ?? '')
    .replace(CODES, (code) => CODE_WORDS.get(code).toLowerCase())
    .replace(/\b\d{4}-\d{2}-\d{2}\b/g, (iso) => formatDate(iso));
}

export function areaName(plan, code) {
  return plan.areasOfNeed.find((area) => area.area === code)?.name ?? words(code);
}

export function goalTarget(goal) {
  if (!goal.targetDate) return goal.status === 'FUTURE' ? 'None yet: a future goal' : 'None';
  return goal.targetMonths ? `By ${formatDate(goal.targetDate)} (${goal.targetMonths} months)` : `By ${formatDate(goal.targetDate)}`;
}

function tag(text, colour) {
  return html`<strong class="govuk-tag govuk-tag--${colour}">${text}</strong>`;
}

// The person's name and the plan's current version with the ETag a change must send.
export async function loadPlan(api, crn, planId) {
  const [{ data: person }, { data: plan, etag }] = await Promise.all([
    api(`/cases/${crn}`),
    api(planPath(crn, planId)),
  ]);
  return { name: `${person.firstName} ${person.lastName}`, plan, etag };
}

export function refused(context, backTo, heading, text) {
  context.title(heading);
  render(context.main, html`
    <h1 class="govuk-heading-l">${heading}</h1>
    <p class="govuk-body">${text}</p>
    <p class="govuk-body"><a class="govuk-link" href="#${backTo}">Return to the sentence plan</a></p>`);
}

// Whoever the plan names (a staff code, or a system's name), by name where they are staff.
function namesIn(api, plan) {
  return staffNames(api, [plan.versionCreatedBy, plan.agreement?.recordedBy, plan.countersignature?.by, plan.rejection?.by]);
}

// ------------------------------------------------------------------ areas of need

function needReasons(area) {
  const reasons = [
    area.linkedToHarm && 'Linked to risk of serious harm',
    area.linkedToReoffending && 'Linked to reoffending',
    area.scored && area.highScoring && `Scores ${area.score}, at or over its threshold of ${area.threshold}`,
    area.scored && !area.highScoring && `Scores ${area.score}, under its threshold of ${area.threshold}`,
    !area.scored && 'Not scored: OASys does not score this area, so every plan shows it',
  ].filter(Boolean);
  return html`<ul class="govuk-list govuk-list--bullet">${reasons.map((reason) => html`<li>${reason}</li>`)}</ul>`;
}

function areaTags(area) {
  return [
    area.scored ? (area.highScoring ? tag('High scoring', 'red') : tag('Under its threshold', 'grey')) : tag('Not scored', 'grey'),
    area.linkedToHarm ? tag('Linked to harm', 'orange') : '',
    area.linkedToReoffending ? tag('Linked to reoffending', 'yellow') : '',
  ];
}

function contributions(area, catalogue) {
  if (!area.contributions.length) return 'None';
  return html`<ul class="govuk-list">${area.contributions.map(({ question: code, answer, points }) => {
    const question = catalogue?.questions.get(code);
    return html`<li>${question ? questionTitle(question) : code}: ${answerWords(question, answer)} (${plural(points, 'point')})</li>`;
  })}</ul>`;
}

function provenance(area, catalogue) {
  const numbers = area.provenance.questions.map((code) => {
    const question = catalogue?.questions.get(code);
    return (question && questionNumber(question)) || code;
  });
  return `The OASys assessment completed ${formatDate(area.provenance.completedAt)}: ${numbers.length === 1 ? 'question' : 'questions'} ${numbers.join(', ')}`;
}

function areasOfNeed(plan, catalogue) {
  return html`
    <h2 class="govuk-heading-m" id="areas-heading">Areas of need, most pressing first</h2>
    <p class="govuk-body">Ranked as the assessment found them: areas linked to risk of serious harm first, then those
      linked to reoffending, then by how far each scores over its threshold. Areas OASys does not score come after those it does.</p>
    <ol class="govuk-list app-plan-cards" id="areas" aria-labelledby="areas-heading">${plan.areasOfNeed.map((area) => html`
      <li class="govuk-summary-card" id="area-${area.area}">
        <div class="govuk-summary-card__title-wrapper">
          <h3 class="govuk-summary-card__title">${area.rank}. ${area.name}</h3>
        </div>
        <div class="govuk-summary-card__content">
          <p class="govuk-body app-tags">${areaTags(area)}</p>
          ${summaryList([
            ['Why it is a need', needReasons(area)],
            area.scored ? ['Answers that scored', contributions(area, catalogue)] : null,
            ['From', provenance(area, catalogue)],
          ])}
        </div>
      </li>`)}
    </ol>`;
}

// ------------------------------------------------------------------ goals and steps

function moveButton(kind, item, direction, label) {
  const text = direction === 'up' ? 'Move up' : 'Move down';
  return html`<button type="button" class="app-link-button" id="move-${kind}-${direction}-${item.id}"
    data-move="${kind}" data-id="${item.id}" data-direction="${direction}">${text}<span class="govuk-visually-hidden"> ${kind}: ${label}</span></button>`;
}

function moves(kind, items, index, label, editable) {
  if (!editable || items.length < 2) return [];
  return [
    index > 0 ? moveButton(kind, items[index], 'up', label) : '',
    index < items.length - 1 ? moveButton(kind, items[index], 'down', label) : '',
  ].filter(Boolean);
}

function actionList(actions) {
  if (!actions.length) return '';
  return html`<ul class="govuk-summary-list__actions-list">${actions.map((action) => html`<li class="govuk-summary-list__actions-list-item">${action}</li>`)}</ul>`;
}

function linkedAppointment(appointment) {
  if (!appointment) return '';
  const state = appointment.outcome ? outcomeName(appointment.outcome) : APPOINTMENT_STATUSES[appointment.status] ?? words(appointment.status);
  return html`<br><span class="govuk-body-s app-linked-appointment">Appointment: ${appointmentType(appointment.type)}, ${formatDateTime(appointment.start)} (${state})</span>`;
}

function stepRows(path, goal, { editable, open }) {
  return goal.steps.map((step, index) => {
    const latest = step.notes.filter((note) => note.note).at(-1);
    const actions = [
      open ? html`<a class="govuk-link" href="#${path}/goals/${goal.id}/steps/${step.id}/status">Update status<span class="govuk-visually-hidden"> of step: ${step.description}</span></a>` : '',
      ...moves('step', goal.steps, index, step.description, editable),
    ].filter(Boolean);
    return html`
      <div class="govuk-summary-list__row${actions.length ? '' : ' govuk-summary-list__row--no-actions'}">
        <dt class="govuk-summary-list__key app-wrap">${index + 1}. ${step.description}</dt>
        <dd class="govuk-summary-list__value">
          ${STEP_ACTORS[step.actor] ?? words(step.actor)}<br>
          ${tag(STEP_STATUSES[step.status] ?? words(step.status), STEP_COLOURS[step.status] ?? 'grey')}
          ${linkedAppointment(step.appointment)}
          ${latest ? html`<br><span class="govuk-body-s app-wrap">Latest note, ${formatDate(latest.at)}: ${latest.note}</span>` : ''}
        </dd>
        ${actions.length ? html`<dd class="govuk-summary-list__actions">${actionList(actions)}</dd>` : ''}
      </div>`;
  });
}

function goalNotes(goal) {
  if (!goal.notes.length) return null;
  return ['Notes', html`<ul class="govuk-list">${goal.notes.map((note) => html`
    <li class="app-wrap">${formatDate(note.at)}, ${words(note.type).toLowerCase()}: ${note.note}</li>`)}</ul>`];
}

function goalCard(plan, path, goal, index, { editable, open }) {
  const actions = [
    open ? html`<a class="govuk-link" href="#${path}/goals/${goal.id}/status">Change status<span class="govuk-visually-hidden"> of goal: ${goal.title}</span></a>` : '',
    ...moves('goal', plan.goals, index, goal.title, editable),
  ].filter(Boolean);
  return html`
    <li class="govuk-summary-card" id="goal-${goal.id}">
      <div class="govuk-summary-card__title-wrapper">
        <h3 class="govuk-summary-card__title app-wrap">${index + 1}. ${goal.title}</h3>
        ${actions.length ? html`<ul class="govuk-summary-card__actions">${actions.map((action) => html`<li class="govuk-summary-card__action">${action}</li>`)}</ul>` : ''}
      </div>
      <div class="govuk-summary-card__content">
        ${summaryList([
          ['Status', tag(GOAL_STATUSES[goal.status] ?? words(goal.status), GOAL_COLOURS[goal.status] ?? 'grey')],
          ['Area of need', goal.areaOfNeed ? areaName(plan, goal.areaOfNeed) : 'None'],
          ['Target', goalTarget(goal)],
          goalNotes(goal),
        ])}
        <h4 class="govuk-heading-s">Steps</h4>
        ${goal.steps.length
          ? html`<dl class="govuk-summary-list app-steps">${stepRows(path, goal, { editable, open })}</dl>`
          : html`<p class="govuk-body">No steps yet.${goal.status === 'ACTIVE' ? ' A goal to work on now needs a step before the plan is agreed.' : ''}</p>`}
        ${editable ? html`<p class="govuk-body"><a class="govuk-link" href="#${path}/goals/${goal.id}/steps/new">Add a step<span class="govuk-visually-hidden"> to goal: ${goal.title}</span></a></p>` : ''}
      </div>
    </li>`;
}

function goals(plan, path, { editable, open }) {
  if (!plan.goals.length) return html`<p class="govuk-body" id="goals">No goals yet.</p>`;
  return html`<ol class="govuk-list app-plan-cards" id="goals" aria-labelledby="goals-heading">
    ${plan.goals.map((goal, index) => goalCard(plan, path, goal, index, { editable, open }))}</ol>`;
}

// ------------------------------------------------------------------ agreement, countersignature, versions

function byWhom(names, code, grade) {
  return `${staffName(names, code)}${grade ? ` (${grade})` : ''}`;
}

function agreement(plan, names, name) {
  const { agreement: recorded, countersignature } = plan;
  if (!recorded) return html`<p class="govuk-body" id="agreement">${name}'s agreement has not been recorded for this version.</p>`;
  return html`<div id="agreement">${summaryList([
    ['Answer', tag(AGREEMENT_STATUSES[recorded.status], AGREEMENT_COLOURS[recorded.status])],
    ['Notes', html`<span class="app-wrap">${recorded.notes ?? 'None'}</span>`],
    ['Recorded by', `${byWhom(names, recorded.recordedBy, recorded.recordedByGrade)}, ${formatDateTime(recorded.recordedAt)}`],
    countersignature ? ['Countersigned by', `${staffName(names, countersignature.by)}, ${formatDateTime(countersignature.at)}`] : null,
    countersignature?.notes ? ['Countersigner\'s notes', html`<span class="app-wrap">${countersignature.notes}</span>`] : null,
  ])}</div>`;
}

function reviewDue(plan) {
  if (plan.reviewDue) return formatDate(plan.reviewDue);
  if (plan.type === 'TERMINATE') return 'None: agreeing this version ends the plan';
  return `Set when the plan is agreed: ${plural(plan.reviewIntervalMonths, 'month')} on`;
}

function versionSummary(plan, names) {
  return summaryList([
    ['Version', `${plan.planVersion}: ${PLAN_TYPES[plan.type] ?? words(plan.type)}`],
    ['Agreement', tag(AGREEMENT_STATUSES[plan.agreementStatus], AGREEMENT_COLOURS[plan.agreementStatus])],
    ['Countersigning', tag(COUNTERSIGNING_STATUSES[plan.countersigningStatus], COUNTERSIGNING_COLOURS[plan.countersigningStatus])],
    ['Review due', reviewDue(plan)],
    ['Version started', `${formatDateTime(plan.versionCreatedAt)} by ${staffName(names, plan.versionCreatedBy)}`],
  ]);
}

function history(plan, path) {
  const earlier = plan.history.map((version) => ({ ...version, replaced: formatDate(version.supersededAt) }));
  const versions = [...earlier, {
    planVersion: plan.planVersion, type: plan.type, createdAt: plan.versionCreatedAt, agreementStatus: plan.agreementStatus,
    countersigningStatus: plan.countersigningStatus, agreedAt: plan.agreement?.recordedAt, replaced: 'Current version',
  }].reverse();
  return html`
    <h2 class="govuk-heading-m" id="history-heading">Versions</h2>
    <div class="app-table-scroll" role="region" aria-labelledby="history-heading" tabindex="0">
    <table class="govuk-table" id="history">
      <caption class="govuk-table__caption govuk-visually-hidden">Every version of the plan, newest first</caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">
        <th scope="col" class="govuk-table__header">Version</th>
        <th scope="col" class="govuk-table__header">Started</th>
        <th scope="col" class="govuk-table__header">Agreement</th>
        <th scope="col" class="govuk-table__header">Countersigning</th>
        <th scope="col" class="govuk-table__header">Replaced</th>
      </tr></thead>
      <tbody class="govuk-table__body">${versions.map((version) => html`
        <tr class="govuk-table__row">
          <th scope="row" class="govuk-table__header"><a class="govuk-link" href="#${path}/versions/${version.planVersion}">Version ${version.planVersion}</a><br>
            <span class="govuk-body-s">${PLAN_TYPES[version.type] ?? words(version.type)}</span></th>
          <td class="govuk-table__cell">${formatDate(version.createdAt)}</td>
          <td class="govuk-table__cell">${AGREEMENT_STATUSES[version.agreementStatus]}${version.agreedAt ? html`<br><span class="govuk-body-s">${formatDate(version.agreedAt)}</span>` : ''}</td>
          <td class="govuk-table__cell">${COUNTERSIGNING_STATUSES[version.countersigningStatus]}</td>
          <td class="govuk-table__cell">${version.replaced}</td>
        </tr>`)}
      </tbody>
    </table></div>
    <p class="govuk-body">Open a version to read it as it was, with who started, agreed and countersigned it.</p>`;
}

// ------------------------------------------------------------------ the plan's state, and what to do next

function stateNotice(plan, names, name, session, path) {
  if (plan.status === 'CLOSED') {
    return notificationBanner({ id: 'state', heading: 'This plan has ended', body: html`<p class="govuk-body">Its last version, which ends it, was agreed. It can still be read. A new plan can be made from the case.</p>` });
  }
  if (awaitsCountersignature(plan)) {
    const { agreement: recorded } = plan;
    return html`<div class="govuk-inset-text" id="state">
      <h2 class="govuk-heading-s govuk-!-margin-bottom-2">Waiting for a countersignature</h2>
      <p class="govuk-body">${name}'s agreement was recorded by ${byWhom(names, recorded.recordedBy, recorded.recordedByGrade)} on ${formatDate(recorded.recordedAt)}.
        A plan written by a PSO or a PQiP is in force once a manager countersigns it; the manager may send it back with a reason instead.</p>
      ${isManager(session) ? html`<a href="#${path}/countersignature" role="button" draggable="false" class="govuk-button govuk-!-margin-bottom-0" data-module="govuk-button">Countersign or send back</a>` : ''}
    </div>`;
  }
  if (plan.locked) return html`<div class="govuk-inset-text" id="state">${lockedReason(plan, name)}</div>`;
  const sentBack = plan.countersigningStatus === 'REJECTED' && plan.rejection;
  return html`
    ${sentBack ? notificationBanner({
      id: 'rejection',
      heading: `Sent back by ${staffName(names, plan.rejection.by)} on ${formatDate(plan.rejection.at)}`,
      body: html`<p class="govuk-body app-wrap">${plan.rejection.reason}</p><p class="govuk-body">Version ${plan.planVersion} is a draft again: change it as the reason asks, then record ${name}'s agreement again.</p>`,
    }) : ''}
    <div class="govuk-inset-text" id="state">Version ${plan.planVersion} is a draft. Agree its goals and steps with ${name}, then record
      their agreement: that locks the version.</div>`;
}

function nextActions(plan, path, name) {
  const actions = [];
  if (isEditable(plan)) {
    actions.push(html`<a href="#${path}/goals/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button">Add a goal</a>`);
    if (!beforeAgreement(plan).length) {
      actions.push(html`<a href="#${path}/agreement" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">Record ${name}'s agreement</a>`);
    }
  }
  if (mayStartReview(plan)) {
    actions.push(html`<a href="#${path}/review" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">Start a review</a>`);
  }
  const needed = isEditable(plan) ? beforeAgreement(plan) : [];
  return html`
    ${actions.length ? html`<div class="govuk-button-group">${actions}</div>` : ''}
    ${needed.length ? html`<div id="before-agreement"><p class="govuk-body">Before ${name}'s agreement can be recorded:</p>
      <ul class="govuk-list govuk-list--bullet">${needed.map((item) => html`<li>${item}</li>`)}</ul></div>` : ''}`;
}

// ------------------------------------------------------------------ the screens

// From the case: a draft from the latest completed assessment. Where someone made one first (409 naming it),
// theirs is the case's plan, and it is opened instead.
export async function createPlan(context, { crn, name, idempotencyKey }) {
  const { api, main } = context;
  clearErrors(main);
  try {
    const { data: plan } = await api(`/cases/${crn}/sentence-plans`, { method: 'POST', headers: { 'Idempotency-Key': idempotencyKey } });
    context.flash({ success: `Sentence plan drafted from the latest OASys assessment: agree its goals and steps with ${name}` });
    context.navigate(planPath(crn, plan.id));
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && error.problem.instance) {
      context.navigate(error.problem.instance);
      return;
    }
    showErrors(main, [{
      text: error instanceof Unreachable ? `${error.message} No plan has been made: try again when you are connected.` : readable(error.message),
    }]);
  }
}

function catalogueOf(api, plan) {
  const version = plan.areasOfNeed[0]?.provenance.catalogueVersion;
  return version ? questionCatalogue(api, version) : null;
}

export async function planScreen(context, crn, planId) {
  const { api, main, session } = context;
  const path = planPath(crn, planId);
  const loaded = await loadPlan(api, crn, planId);
  const { name } = loaded;
  let { plan, etag } = loaded;
  const catalogue = await catalogueOf(api, plan);
  context.title(`Sentence plan for ${name}`);
  render(context.beforeContent, backLink(`#/cases/${crn}`, 'Back to the case'));
  const notice = context.takeFlash();
  render(main, html`
    <div id="errors"></div>
    <div id="notice">${notice?.success ? notificationBanner({ title: 'Success', heading: notice.success, success: true }) : ''}</div>
    <div id="plan-view"></div>
    <p class="govuk-visually-hidden" role="status" id="announcement"></p>`);
  context.ready();
  const view = main.querySelector('#plan-view');
  // Drawn again after each move, its GOV.UK Frontend components (the buttons) started each time.
  const show = async () => {
    const editable = isEditable(plan);
    const open = plan.status === 'ACTIVE';
    const known = await namesIn(api, plan);
    render(view, html`
      <span class="govuk-caption-l">${name} · CRN ${crn}</span>
      <h1 class="govuk-heading-l">Sentence plan</h1>
      ${stateNotice(plan, known, name, session, path)}
      ${versionSummary(plan, known)}
      ${nextActions(plan, path, name)}
      <h2 class="govuk-heading-m" id="goals-heading">Goals</h2>
      ${goals(plan, path, { editable, open })}
      <h2 class="govuk-heading-m">Agreement</h2>
      ${agreement(plan, known, name)}
      ${areasOfNeed(plan, catalogue)}
      ${history(plan, path)}`);
    initAll({ scope: view });
  };
  await show();

  let moving = false;
  view.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-move]');
    if (!button || moving) return;
    moving = true;
    try {
      await move(button.dataset.move, button.dataset.id, button.dataset.direction);
    } finally {
      moving = false;
    }
  });

  async function move(kind, id, direction) {
    clearErrors(main);
    render(main.querySelector('#notice'), '');
    const goal = kind === 'goal' ? null : plan.goals.find((g) => g.steps.some((step) => step.id === id));
    const items = kind === 'goal' ? plan.goals : goal.steps;
    const from = items.findIndex((item) => item.id === id);
    const to = direction === 'up' ? from - 1 : from + 1;
    const order = items.map((item) => item.id);
    [order[from], order[to]] = [order[to], order[from]];
    const request = kind === 'goal'
      ? api(`${path}/goal-order`, { method: 'PUT', body: { goalIds: order }, headers: { 'If-Match': etag } })
      : api(`${path}/goals/${goal.id}/step-order`, { method: 'PUT', body: { stepIds: order }, headers: { 'If-Match': etag } });
    try {
      ({ data: plan, etag } = await request);
    } catch (error) {
      await showRefusal(error);
      return;
    }
    await show();
    const moved = items[from];
    const label = kind === 'goal' ? moved.title : moved.description;
    main.querySelector('#announcement').textContent = `${words(kind)} “${label}” moved ${direction}: it is now ${to + 1} of ${items.length}.`;
    // Focus stays with what moved, on the same button where it still has one, so it can be moved again.
    const again = main.querySelector(`#move-${kind}-${direction}-${id}`) ?? main.querySelector(`[data-id="${id}"]`);
    again?.focus();
  }

  async function showRefusal(error) {
    if (error instanceof Unreachable) {
      showErrors(main, [{ text: `${error.message} Nothing has been moved: try again when you are connected.` }]);
      return;
    }
    if (!(error instanceof ApiError) || ![409, 412].includes(error.status)) {
      showErrors(main, problemItems(error));
      return;
    }
    ({ plan, etag } = await loadPlan(api, crn, planId));
    await show();
    if (!isEditable(plan)) {
      showErrors(main, [{ text: `${lockedReason(plan, name)} Nothing has been moved.`, href: '#state' }]);
      return;
    }
    render(main.querySelector('#notice'), notificationBanner({
      id: 'conflict',
      heading: 'Someone else changed this plan while you were looking at it',
      body: html`<p class="govuk-body">Nothing has been moved. The latest version is shown: move it again if it still needs to.</p>`,
    }));
    showErrors(main, [{ text: 'The plan changed: the latest version is now shown', href: '#conflict' }]);
  }
}

export async function planVersionScreen(context, crn, planId, planVersion) {
  const { api, main } = context;
  const path = planPath(crn, planId);
  const [{ data: person }, { data: plan }, { data: current }] = await Promise.all([
    api(`/cases/${crn}`),
    api(`${path}/versions/${planVersion}`),
    api(path),
  ]);
  const name = `${person.firstName} ${person.lastName}`;
  const [catalogue, names] = await Promise.all([catalogueOf(api, plan), namesIn(api, plan)]);
  const replaced = current.history.find((version) => version.planVersion === plan.planVersion);
  context.title(`Version ${plan.planVersion} of ${name}'s sentence plan`);
  render(context.beforeContent, backLink(`#${path}`, 'Back to the sentence plan'));
  render(main, html`
    <span class="govuk-caption-l">${name} · CRN ${crn}</span>
    <h1 class="govuk-heading-l">Sentence plan, version ${plan.planVersion}</h1>
    <div class="govuk-inset-text" id="version-state">${replaced
      ? `As it was when version ${plan.planVersion + 1} replaced it on ${formatDate(replaced.supersededAt)}. It cannot be changed.`
      : html`This is the current version. <a class="govuk-link" href="#${path}">Go to the plan</a> to change it or record its progress.`}</div>
    ${versionSummary(plan, names)}
    <h2 class="govuk-heading-m" id="goals-heading">Goals</h2>
    ${goals(plan, path, { editable: false, open: false })}
    <h2 class="govuk-heading-m">Agreement</h2>
    ${agreement(plan, names, name)}
    ${areasOfNeed(plan, catalogue)}`);
  context.ready();
}
