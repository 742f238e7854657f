// The OASys assessment on the GOV.UK task list pattern: one task per OASys section, each a page showing
// every question with its answer and where that answer came from; then check your answers and complete.
// What blocks completion is counted as the API counts it (service._missing): a required question with no
// answer, and a required answer carried forward from the previous assessment that nobody has confirmed
// or changed. Every change carries the ETag read (If-Match).
//
// The router gives the screen one address, so its views (task list, a section, check answers) are
// history entries of that address: Back and reload keep the view.
import { ApiError } from '../api.mjs';
import { answerWords, questionCatalogue, questionName, questionNumber, questionTitle, questionWords } from '../catalogue.mjs';
import { problemItems, showErrors } from '../forms.mjs';
import { errorSummary, formatDate, formatDateTime, html, notificationBanner, plural, render } from '../view.mjs';

const controlId = (code) => `q-${code.replaceAll('.', '-')}`;
const UNANSWERABLE = new Set(['COMPUTED', 'SUBFORM']);
const MAX_TEXT = 4000;
const sameValue = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// A carried-forward answer nobody has confirmed or changed yet.
const unconfirmedCarried = (answer) => answer?.source === 'PREVIOUS_ASSESSMENT' && !answer.confirmed;

// Required to complete: always, or (the follow-ups) once the question it follows has the given answer.
function isRequired(question, answers) {
  if (question.requiredForCompletion) return true;
  const gate = question.requiredIfParentAnswer;
  return Boolean(gate && answers[question.parentCode]?.value === gate);
}

// What a section still needs before the assessment can complete, and what else is worth knowing.
function sectionState(section, answers) {
  const state = { toConfirm: [], toAnswer: [], optionalToConfirm: [], answered: 0, answerable: 0, required: 0 };
  for (const question of section.questions) {
    if (UNANSWERABLE.has(question.answerType)) continue;
    state.answerable += 1;
    const answer = answers[question.code];
    const required = isRequired(question, answers);
    if (required) state.required += 1;
    if (answer) state.answered += 1;
    if (!answer && required) state.toAnswer.push(question);
    else if (unconfirmedCarried(answer)) (required ? state.toConfirm : state.optionalToConfirm).push(question);
  }
  state.blocking = state.toConfirm.length + state.toAnswer.length;
  return state;
}

function needsText({ toConfirm, toAnswer }) {
  return [
    toConfirm.length && `${plural(toConfirm.length, 'answer')} to confirm or change`,
    toAnswer.length && `${plural(toAnswer.length, 'question')} to answer`,
  ].filter(Boolean).join(', ');
}

export async function assessmentScreen(context, crn) {
  const { api, main, session } = context;
  render(main, html`<p class="govuk-body">Loading the assessment…</p>`);
  const [{ data: person }, { data: list }] = await Promise.all([api(`/cases/${crn}`), api(`/cases/${crn}/assessments`)]);
  const name = `${person.firstName} ${person.lastName}`;
  context.title(`OASys assessment for ${name}`);
  const open = list.items.find((a) => a.status === 'DRAFT');
  if (!open) {
    startScreen(context, crn, name);
    return;
  }

  const path = `/cases/${crn}/assessments/${open.assessmentId}`;
  let { data: assessment, etag } = await api(path);
  const catalogue = await questionCatalogue(api, assessment.catalogueVersion);
  const sections = catalogue.sections;
  const sectionOf = (code) => catalogue.questions.get(code)?.section;
  // When each earlier assessment was completed: the date a carried-forward answer comes from.
  const completedOn = new Map(list.items.map((a) => [a.assessmentId, a.completedAt ?? a.createdAt]));
  const previous = list.items.find((a) => a.status === 'COMPLETED');
  // Problems the API reported on completion, by question code, until the question is saved or confirmed.
  const completionErrors = new Map();
  let view = { name: 'tasks' };

  const who = (subject) => (subject === session.staffCode ? 'you' : subject);
  const sectionTitle = (section) => (/^[0-9]+$/.test(section.id) ? `Section ${section.id}: ${section.title}` : section.title);
  const caption = html`<span class="govuk-caption-l">${name} · CRN ${crn} · OASys assessment</span>`;

  function provenance(question, answer) {
    const when = (ref) => completedOn.get(String(ref ?? '').split('/').pop());
    const from = (source, ref, asOf) => {
      switch (source) {
        case 'PREVIOUS_ASSESSMENT': return `from the previous assessment, ${formatDate(when(ref) ?? asOf)}`;
        case 'CASE_RECORD': return `from the case record, ${formatDate(asOf)}`;
        case 'RISK': return `from the risk scores of ${formatDate(asOf)}`;
        default: return `answered by ${who(String(ref ?? '').replace(/^assessor:/, ''))}, ${formatDateTime(asOf)}`;
      }
    };
    const source = from(answer.source, answer.sourceRef, answer.asOf);
    let text = source.charAt(0).toUpperCase() + source.slice(1);
    if (answer.source === 'PREVIOUS_ASSESSMENT') text += answer.confirmed ? '. Confirmed.' : '. Not confirmed yet.';
    else if (answer.source !== 'ASSESSOR') text += answer.confirmed ? '. Confirmed.' : '. Kept up to date until you change it.';
    else text += '.';
    if (answer.previous) {
      text += ` It was “${answerWords(question, answer.previous.value)}”, ${from(answer.previous.source, answer.previous.sourceRef, answer.previous.asOf)}.`;
    }
    return text;
  }

  // ------------------------------------------------------------------ the views

  function taskListView() {
    const { answers, summary } = assessment;
    const states = sections.map((section) => ({ section, ...sectionState(section, answers) }));
    const toConfirm = states.reduce((n, s) => n + s.toConfirm.length, 0);
    const toAnswer = states.reduce((n, s) => n + s.toAnswer.length, 0);
    const optionalToConfirm = states.reduce((n, s) => n + s.optionalToConfirm.length, 0);
    const computedUnanswered = [...catalogue.questions.values()]
      .filter((q) => q.answerType === 'COMPUTED' && !(q.code in answers)).length;
    const optionalUnanswered = summary.remaining - toAnswer - computedUnanswered;
    const unansweredParts = [
      toAnswer && `${toAnswer} required`,
      optionalUnanswered && `${optionalUnanswered} optional`,
      computedUnanswered && `${computedUnanswered} worked out by the system`,
    ].filter(Boolean);
    const blockedSections = states.filter((s) => s.blocking).length;
    const carriedFrom = previous ? `the previous assessment (completed ${formatDate(previous.completedAt)})` : 'the previous assessment';
    return html`
      ${caption}
      <h1 class="govuk-heading-l" tabindex="-1">OASys assessment</h1>
      <p class="govuk-body">Started ${formatDateTime(assessment.createdAt)} by ${who(assessment.createdBy)}, with every answer
        the case record, the risk scores and ${carriedFrom} could give.</p>
      ${toConfirm || toAnswer ? html`
        <div class="govuk-inset-text" id="what-is-left">
          <p class="govuk-body">Answers carried forward from ${carriedFrom} must be confirmed or changed.
            Before you can complete this assessment you need to:</p>
          <ul class="govuk-list govuk-list--bullet">
            ${toConfirm ? html`<li>confirm or change <strong>${plural(toConfirm, 'answer')}</strong> carried forward</li>` : ''}
            ${toAnswer ? html`<li>answer <strong>${plural(toAnswer, 'required question')}</strong></li>` : ''}
          </ul>
          <p class="govuk-body">${blockedSections} of ${plural(sections.length, 'section')} ${blockedSections === 1 ? 'needs' : 'need'} something from you.</p>
        </div>` : html`
        <div class="govuk-inset-text" id="what-is-left">
          <p class="govuk-body">Every required question has an answer and every required answer carried forward is confirmed.
            Check your answers, then complete the assessment.</p>
        </div>`}
      <p class="govuk-body">${summary.remaining} of ${summary.questions} questions have no answer yet${unansweredParts.length ? `: ${unansweredParts.join(', ')}` : ''}.
        ${optionalToConfirm ? `${plural(optionalToConfirm, 'answer')} to optional questions carried forward from the previous assessment ${optionalToConfirm === 1 ? 'is' : 'are'} not confirmed: you may complete without confirming ${optionalToConfirm === 1 ? 'it' : 'them'}, but check ${optionalToConfirm === 1 ? 'it is' : 'they are'} still right.` : ''}</p>
      <h2 class="govuk-heading-m">Sections</h2>
      <ul class="govuk-task-list" id="sections">
        ${states.map((state, index) => taskItem(state, index))}
      </ul>
      <h2 class="govuk-heading-m">Complete the assessment</h2>
      <ul class="govuk-task-list">
        <li class="govuk-task-list__item govuk-task-list__item--with-link">
          <div class="govuk-task-list__name-and-hint">
            <a class="govuk-link govuk-task-list__link" href="#/cases/${crn}/assessment" data-view="check"
               aria-describedby="check-hint check-status">Check your answers and complete</a>
            <div class="govuk-task-list__hint" id="check-hint">${toConfirm || toAnswer
              ? 'You can check your answers now. You can complete once nothing is left to confirm or answer.'
              : 'Completing locks the assessment, scores its sections and updates the risk scores.'}</div>
          </div>
          <div class="govuk-task-list__status" id="check-status">${toConfirm || toAnswer
            ? html`<strong class="govuk-tag govuk-tag--grey">Cannot complete yet</strong>`
            : html`<strong class="govuk-tag govuk-tag--blue">Ready to complete</strong>`}</div>
        </li>
      </ul>`;
  }

  function taskItem(state, index) {
    const { section } = state;
    const id = `section-${index + 1}`;
    let status;
    let hint;
    if (state.blocking) {
      status = html`<strong class="govuk-tag govuk-tag--blue">Incomplete</strong>`;
      hint = needsText(state);
    } else if (state.required || state.answered) {
      status = 'Completed';
      hint = `${state.answered} of ${plural(state.answerable, 'question')} answered`;
    } else {
      status = 'Optional';
      hint = `Nothing required. ${state.answered} of ${plural(state.answerable, 'question')} answered`;
    }
    if (state.optionalToConfirm.length) {
      hint += `. ${plural(state.optionalToConfirm.length, 'optional answer')} carried forward not confirmed`;
    }
    return html`
      <li class="govuk-task-list__item govuk-task-list__item--with-link">
        <div class="govuk-task-list__name-and-hint">
          <a class="govuk-link govuk-task-list__link" href="#/cases/${crn}/assessment" data-section="${section.id}"
             aria-describedby="${id}-hint ${id}-status">${sectionTitle(section)}</a>
          <div class="govuk-task-list__hint" id="${id}-hint">${hint}</div>
        </div>
        <div class="govuk-task-list__status" id="${id}-status">${status}</div>
      </li>`;
  }

  function sectionView(section, errors) {
    const { answers } = assessment;
    const state = sectionState(section, answers);
    const carried = section.questions.filter((q) => unconfirmedCarried(answers[q.code]));
    const carriedDate = previous ? ` (completed ${formatDate(previous.completedAt)})` : '';
    return html`
      ${caption}
      <h1 class="govuk-heading-l" tabindex="-1">${sectionTitle(section)}</h1>
      ${carried.length ? html`
        <p class="govuk-body">${plural(carried.length, 'answer')} in this section ${carried.length === 1 ? 'was' : 'were'} carried forward
          from the previous assessment${carriedDate} and ${carried.length === 1 ? 'needs' : 'need'} confirming.
          Check each one and change any that are no longer right, then select “Confirm all in this section”.</p>`
        : html`<p class="govuk-body">Nothing in this section is waiting to be confirmed.</p>`}
      <p class="govuk-body">${state.required
        ? `${plural(state.required, 'question')} in this section ${state.required === 1 ? 'is' : 'are'} required to complete the assessment: ${state.required === 1 ? 'it says' : 'each says'} so under the question. The others are optional.`
        : 'The questions in this section are optional.'}</p>
      <form id="section-form" novalidate>
        ${section.questions.map((question) => questionField(question, answers[question.code], errors.get(question.code)))}
        <div class="govuk-button-group">
          ${carried.length
            ? html`<button type="submit" class="govuk-button" data-module="govuk-button" name="action" value="confirm" id="confirm-all">Confirm all in this section</button>`
            : html`<button type="submit" class="govuk-button" data-module="govuk-button" name="action" value="return">Save and return to the task list</button>`}
          <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" name="action" value="save">Save changes</button>
        </div>
        ${carried.length ? html`<p class="govuk-body">“Confirm all in this section” saves any change you have made, confirms
          the answers carried forward that you have not changed, then takes you back to the task list.</p>` : ''}
      </form>
      <p class="govuk-body"><a class="govuk-link" href="#/cases/${crn}/assessment" data-view="tasks">Return to the task list</a></p>`;
  }

  function questionField(question, answer, error) {
    const id = controlId(question.code);
    const number = questionNumber(question);
    const title = html`${number ? html`<span class="app-question-number">${number}</span> ` : ''}${questionWords(question)}`;
    const required = isRequired(question, assessment.answers);
    const hint = html`${required ? html`<strong>Required to complete the assessment.</strong> ` : ''}${answer
      ? provenance(question, answer) : 'No answer yet.'}`;
    const errorMessage = error ? html`<p class="govuk-error-message" id="${id}-error"><span class="govuk-visually-hidden">Error:</span> ${error}</p>` : '';
    const describedBy = `${id}-hint${error ? ` ${id}-error` : ''}`;
    const group = (inner) => html`<div class="govuk-form-group${error ? ' govuk-form-group--error' : ''}" id="${id}-group">${inner}</div>`;
    const value = answer?.value;

    if (UNANSWERABLE.has(question.answerType)) {
      return html`<div class="govuk-form-group" id="${id}-group">
        <h2 class="govuk-heading-s">${title}</h2>
        <p class="govuk-body">${answer ? answerWords(question, value) : 'No answer.'}</p>
        <p class="govuk-hint">${question.answerType === 'COMPUTED' ? 'Worked out by the system: it cannot be changed here.' : 'Answered in its own form, not here.'}
          ${answer ? provenance(question, answer) : ''}</p>
      </div>`;
    }
    if (['SELECT', 'TICK', 'MULTI_SELECT'].includes(question.answerType)) {
      const multiple = question.answerType !== 'SELECT';
      const kind = multiple ? 'checkboxes' : 'radios';
      const chosen = new Set(Array.isArray(value) ? value : value === undefined ? [] : [String(value)]);
      const inline = !multiple && question.options.length <= 3 && question.options.every((o) => o.label.length <= 12);
      return group(html`
        <fieldset class="govuk-fieldset" aria-describedby="${describedBy}">
          <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${title}</legend>
          <div class="govuk-hint" id="${id}-hint">${hint}</div>
          ${errorMessage}
          <div class="govuk-${kind} govuk-${kind}--small${inline ? ` govuk-${kind}--inline` : ''}" data-module="govuk-${kind}">
            ${question.options.map((option, index) => {
              const optionId = index ? `${id}-${index}` : id;
              return html`<div class="govuk-${kind}__item">
                <input class="govuk-${kind}__input" id="${optionId}" name="${question.code}" type="${multiple ? 'checkbox' : 'radio'}"
                       value="${option.code}"${chosen.has(option.code) ? ' checked' : ''}>
                <label class="govuk-label govuk-${kind}__label" for="${optionId}">${option.label}</label>
              </div>`;
            })}
          </div>
        </fieldset>`);
    }
    if (question.answerType === 'DATE') {
      const [year, month, day] = typeof value === 'string' ? value.split('-') : ['', '', ''];
      const part = (suffix, label, width, partValue) => html`
        <div class="govuk-date-input__item"><div class="govuk-form-group">
          <label class="govuk-label govuk-date-input__label" for="${suffix ? `${id}-${suffix}` : id}">${label}</label>
          <input class="govuk-input govuk-date-input__input govuk-input--width-${width}${error ? ' govuk-input--error' : ''}"
                 id="${suffix ? `${id}-${suffix}` : id}" name="${question.code}:${label.toLowerCase()}" type="text" inputmode="numeric"
                 value="${partValue ? String(Number(partValue)) : ''}">
        </div></div>`;
      return group(html`
        <fieldset class="govuk-fieldset" role="group" aria-describedby="${describedBy}">
          <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${title}</legend>
          <div class="govuk-hint" id="${id}-hint">${hint} For example, 27 3 2024.</div>
          ${errorMessage}
          <div class="govuk-date-input">
            ${part('', 'Day', 2, day)}${part('month', 'Month', 2, month)}${part('year', 'Year', 4, year)}
          </div>
        </fieldset>`);
    }
    const label = html`<label class="govuk-label govuk-label--s" for="${id}">${title}</label>
      <div class="govuk-hint" id="${id}-hint">${hint}</div>${errorMessage}`;
    if (question.answerType === 'COUNT') {
      return group(html`${label}
        <input class="govuk-input govuk-input--width-4${error ? ' govuk-input--error' : ''}" id="${id}" name="${question.code}"
               type="text" inputmode="numeric" spellcheck="false" aria-describedby="${describedBy}" value="${value ?? ''}">`);
    }
    return group(html`${label}
      <textarea class="govuk-textarea${error ? ' govuk-textarea--error' : ''}" id="${id}" name="${question.code}" rows="3"
                aria-describedby="${describedBy}">${value ?? ''}</textarea>`);
  }

  function checkView() {
    const { answers } = assessment;
    const states = sections.map((section) => sectionState(section, answers));
    const toConfirm = states.reduce((n, s) => n + s.toConfirm.length, 0);
    const toAnswer = states.reduce((n, s) => n + s.toAnswer.length, 0);
    return html`
      ${caption}
      <h1 class="govuk-heading-l" tabindex="-1">Check your answers before completing the assessment</h1>
      ${toConfirm || toAnswer ? html`<div class="govuk-warning-text">
          <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
          <strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>
            You cannot complete yet: ${[toConfirm && `${plural(toConfirm, 'answer')} carried forward to confirm or change`,
              toAnswer && `${plural(toAnswer, 'required question')} to answer`].filter(Boolean).join(' and ')}.</strong>
        </div>` : ''}
      <p class="govuk-body">Only the questions with an answer are listed. Select “Change” to change an answer on its section’s page.</p>
      ${sections.map((section) => {
        const answered = section.questions.filter((q) => q.code in answers);
        return html`
          <div class="govuk-summary-card">
            <div class="govuk-summary-card__title-wrapper">
              <h2 class="govuk-summary-card__title">${sectionTitle(section)}</h2>
              <ul class="govuk-summary-card__actions"><li class="govuk-summary-card__action">
                <a class="govuk-link" href="#/cases/${crn}/assessment" data-section="${section.id}">Open<span class="govuk-visually-hidden"> ${sectionTitle(section)}</span></a>
              </li></ul>
            </div>
            <div class="govuk-summary-card__content">
              ${answered.length ? html`<dl class="govuk-summary-list">${answered.map((question) => {
                const answer = answers[question.code];
                const editable = !UNANSWERABLE.has(question.answerType);
                return html`<div class="govuk-summary-list__row">
                  <dt class="govuk-summary-list__key">${questionTitle(question)}</dt>
                  <dd class="govuk-summary-list__value">${answerWords(question, answer.value)}
                    <span class="govuk-body-s app-answer-source">${provenance(question, answer)}</span></dd>
                  <dd class="govuk-summary-list__actions">${editable ? html`<a class="govuk-link" href="#${controlId(question.code)}"
                      data-section="${section.id}" data-question="${question.code}">Change<span class="govuk-visually-hidden"> ${questionName(catalogue, question)}</span></a>` : ''}</dd>
                </div>`;
              })}</dl>` : html`<p class="govuk-body">No answers in this section.</p>`}
            </div>
          </div>`;
      })}
      <h2 class="govuk-heading-m">Now complete the assessment</h2>
      <p class="govuk-body">Completing locks the assessment, scores its sections and updates the risk scores.
        A completed assessment cannot be changed.</p>
      <button type="button" class="govuk-button" id="complete" data-module="govuk-button">Complete assessment</button>`;
  }

  // ------------------------------------------------------------------ showing a view

  function itemFor(code, message) {
    const question = catalogue.questions.get(code);
    const section = question.section.id;
    return { code, section, href: `#${controlId(code)}`, text: message, data: { section, question: code } };
  }

  // banner: markup above the heading; errors: items for the error summary (each with code, section, href,
  // text); question: the code of a question to move to (from a link) instead of the top of the page.
  function show(next, { banner = '', errors = [], question = null } = {}) {
    view = next;
    const back = next.name === 'tasks'
      ? html`<a href="#/cases/${crn}" class="govuk-back-link">Back to the case</a>`
      : html`<a href="#/cases/${crn}/assessment" class="govuk-back-link" data-view="tasks">Back to the task list</a>`;
    render(context.beforeContent, back);
    let body;
    let title;
    let shownErrors = errors;
    if (next.name === 'section') {
      const section = sections.find((s) => s.id === next.section) ?? sections[0];
      // Problems reported on completion stay with their questions until they are dealt with.
      const inSection = new Map([...completionErrors].filter(([code]) => sectionOf(code)?.id === section.id));
      for (const item of errors) if (item.code) inSection.set(item.code, item.text);
      if (!errors.length) shownErrors = [...inSection].map(([code, message]) => itemFor(code, message));
      body = sectionView(section, inSection);
      title = `${sectionTitle(section)} – OASys assessment for ${name}`;
    } else if (next.name === 'check') {
      if (!errors.length) shownErrors = [...completionErrors].map(([code, message]) => itemFor(code, message));
      body = checkView();
      title = `Check your answers – OASys assessment for ${name}`;
    } else {
      body = taskListView();
      title = `OASys assessment for ${name}`;
    }
    const summary = shownErrors.length ? errorSummary(shownErrors, { autoFocus: !question }) : '';
    render(main, html`<div class="app-assessment"><div id="errors">${summary}</div>${banner}${body}</div>`);
    context.title(`${shownErrors.length ? 'Error: ' : ''}${title}`);
    context.ready();
    const form = main.querySelector('#section-form');
    if (form) form.addEventListener('submit', (event) => saveSection(event, sections.find((s) => s.id === next.section)));
    main.querySelector('#complete')?.addEventListener('click', complete);
    if (question) {
      focusQuestion(question);
      return;
    }
    window.scrollTo(0, 0);
    if (!summary && !banner) main.querySelector('h1')?.focus({ preventScroll: true });
  }

  function focusQuestion(code) {
    const control = main.querySelector(`#${CSS.escape(controlId(code))}`);
    if (!control) return;
    main.querySelector(`#${CSS.escape(controlId(code))}-group`)?.scrollIntoView();
    control.focus({ preventScroll: true });
  }

  const historyState = (next) => ({ assessment: crn, view: next.name, section: next.section ?? null });

  function go(next, options = {}) {
    const same = next.name === view.name && next.section === view.section;
    if (same && options.question && !options.banner && !options.errors) {
      focusQuestion(options.question);
      return;
    }
    if (!same) window.history.pushState(historyState(next), '');
    show(next, options);
  }

  function viewOf(state) {
    if (state?.assessment !== crn) return { name: 'tasks' };
    if (state.view === 'section' && sections.some((s) => s.id === state.section)) return { name: 'section', section: state.section };
    return state.view === 'check' ? { name: 'check' } : { name: 'tasks' };
  }

  function onPopState(event) {
    if (!main.isConnected) {
      window.removeEventListener('popstate', onPopState);
      return;
    }
    if (window.location.hash !== `#/cases/${crn}/assessment`) return; // leaving: the router takes over
    show(viewOf(event.state));
  }
  window.addEventListener('popstate', onPopState);

  // Task links, Change links, back links and error summary links open their view inside this screen.
  function onClick(event) {
    const link = event.target.closest?.('a[data-section], a[data-view]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    if (link.dataset.view === 'check') go({ name: 'check' });
    else if (link.dataset.view === 'tasks') go({ name: 'tasks' });
    else go({ name: 'section', section: link.dataset.section }, { question: link.dataset.question || null });
  }
  main.addEventListener('click', onClick, true);
  context.beforeContent.addEventListener('click', onClick, true);

  // ------------------------------------------------------------------ changing the assessment

  // What the section's form says that differs from the answers held, and what is wrong with it.
  function readSection(form, section) {
    const data = new FormData(form);
    const changes = {};
    const problems = [];
    for (const question of section.questions) {
      if (UNANSWERABLE.has(question.answerType)) continue;
      const { code } = question;
      const held = assessment.answers[code];
      const label = questionName(catalogue, question);
      let value = null;
      switch (question.answerType) {
        case 'SELECT':
          value = data.get(code);
          break;
        case 'TICK':
          value = data.get(code);
          if (!value && held) problems.push([code, `A tick cannot be taken off once saved: ${label} stays ticked`]);
          break;
        case 'MULTI_SELECT':
          value = data.getAll(code);
          if (!value.length && !held) value = null;
          break;
        case 'COUNT': {
          const typed = String(data.get(code) ?? '').trim();
          if (!typed) {
            if (held) problems.push([code, `Enter a number for ${label}: an answer cannot be removed`]);
          } else if (!/^[0-9]+$/.test(typed)) {
            problems.push([code, `${label[0].toUpperCase()}${label.slice(1)} must be a whole number, 0 or more`]);
          } else value = Number(typed);
          break;
        }
        case 'DATE': {
          const parts = ['day', 'month', 'year'].map((p) => String(data.get(`${code}:${p}`) ?? '').trim());
          if (parts.every((p) => !p)) {
            if (held) problems.push([code, `Enter a date for ${label}: an answer cannot be removed`]);
            break;
          }
          const [day, month, year] = parts.map(Number);
          const date = new Date(Date.UTC(year, month - 1, day));
          if (parts.some((p) => !/^[0-9]+$/.test(p)) || parts[2].length !== 4 || date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) {
            problems.push([code, `${label[0].toUpperCase()}${label.slice(1)} must be a real date, with a 4-digit year`]);
          } else value = date.toISOString().slice(0, 10);
          break;
        }
        default: {
          const typed = String(data.get(code) ?? '');
          if (!typed.trim()) {
            if (held) problems.push([code, `Enter an answer to ${label}: an answer cannot be removed`]);
          } else if (typed.length > MAX_TEXT) {
            problems.push([code, `The answer to ${label} must be ${MAX_TEXT} characters or fewer`]);
          } else value = typed;
        }
      }
      if (value !== null && value !== undefined && !(held && sameValue(held.value, value))) changes[code] = { value };
    }
    return { changes, problems: problems.map(([code, message]) => itemFor(code, message)) };
  }

  async function saveSection(event, section) {
    event.preventDefault();
    const action = event.submitter?.value ?? 'save';
    const { changes, problems } = readSection(event.target, section);
    if (problems.length) {
      show(view, { errors: problems });
      return;
    }
    const confirming = action === 'confirm'
      ? section.questions.filter((q) => unconfirmedCarried(assessment.answers[q.code]) && !(q.code in changes)).map((q) => q.code)
      : [];
    const patch = { ...changes, ...Object.fromEntries(confirming.map((code) => [code, { confirm: true }])) };
    const changed = Object.keys(changes).length;
    const done = [
      changed && `${plural(changed, 'answer')} saved`,
      confirming.length && `${plural(confirming.length, 'answer')} confirmed`,
    ].filter(Boolean).join(', ');
    if (!Object.keys(patch).length) {
      if (action === 'save') show(view, { banner: notificationBanner({ heading: 'You have not changed any answers' }) });
      else go({ name: 'tasks' });
      return;
    }
    const saved = await send(() => api(path, { method: 'PATCH', body: { answers: patch }, headers: { 'If-Match': etag } }));
    if (!saved) return;
    for (const code of Object.keys(patch)) completionErrors.delete(code);
    const banner = notificationBanner({ title: 'Success', heading: `${sectionTitle(section)}: ${done}`, success: true });
    if (action === 'save') show(view, { banner });
    else go({ name: 'tasks' }, { banner });
  }

  // Each problem the API reports, in words, at the question it is about.
  function completionItems(error) {
    if (!(error instanceof ApiError) || !error.fieldErrors.length) return problemItems(error);
    return error.fieldErrors.map(({ field, message }) => {
      const code = field.replace(/^answers\./, '').replace(/\.value$/, '');
      const question = catalogue.questions.get(code);
      if (!question) return { text: `${field}: ${message}` };
      const label = questionName(catalogue, question);
      if (/carried forward/.test(message)) return itemFor(code, `Confirm or change the answer to ${label}, carried forward from the previous assessment`);
      if (/is required/.test(message)) {
        const verb = { COUNT: 'Enter a number for', DATE: 'Enter a date for', TEXT: 'Enter an answer to' }[question.answerType] ?? 'Select an answer to';
        return itemFor(code, `${verb} ${label}: it is required to complete the assessment`);
      }
      return itemFor(code, `${label[0].toUpperCase()}${label.slice(1)}: ${message}`);
    });
  }

  async function complete() {
    let completed;
    try {
      ({ data: completed } = await api(`${path}/complete`, { method: 'POST', headers: { 'If-Match': etag } }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        await conflict();
        return;
      }
      const items = completionItems(error);
      completionErrors.clear();
      for (const item of items) if (item.code) completionErrors.set(item.code, item.text);
      show({ name: 'check' }, { errors: items });
      return;
    }
    if (completed.status === 'COMPLETED') {
      window.removeEventListener('popstate', onPopState);
      context.flash({ success: `OASys assessment completed for ${name}` });
      context.navigate(`/cases/${crn}`);
    }
  }

  async function conflict() {
    ({ data: assessment, etag } = await api(path));
    show(view, {
      banner: notificationBanner({
        id: 'conflict',
        heading: 'Someone else changed this assessment, or new facts refreshed it, since you opened it',
        body: html`<p class="govuk-body">Nothing you sent was saved. The latest version is shown: check it and make your changes again.</p>`,
      }),
      errors: [{ text: 'The assessment changed: the latest version is now shown', href: '#conflict' }],
    });
  }

  // The request's answer becomes the assessment shown; false when it failed (and the failure is shown).
  async function send(request) {
    try {
      ({ data: assessment, etag } = await request());
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        await conflict();
        return false;
      }
      show(view, { errors: completionItems(error) });
      return false;
    }
  }

  const initial = viewOf(window.history.state);
  window.history.replaceState(historyState(initial), '');
  show(initial);
}

function startScreen(context, crn, name) {
  const { api, main } = context;
  render(context.beforeContent, html`<a href="#/cases/${crn}" class="govuk-back-link">Back to the case</a>`);
  render(main, html`
    <div id="errors"></div>
    <span class="govuk-caption-l">${name} · CRN ${crn}</span>
    <h1 class="govuk-heading-l">OASys assessment</h1>
    <p class="govuk-body">There is no assessment in progress. A new one starts with every answer the case record,
      the risk scores and the last assessment can give. Answers carried forward from the last assessment must be
      confirmed or changed before the new one can be completed.</p>
    <button type="button" class="govuk-button" id="start" data-module="govuk-button">Start a new assessment</button>`);
  context.ready();
  main.querySelector('#start').addEventListener('click', async () => {
    try {
      await api(`/cases/${crn}/assessments`, { method: 'POST', headers: { 'Idempotency-Key': crypto.randomUUID() } });
      context.navigate(`/cases/${crn}/assessment`);
      await assessmentScreen(context, crn);
    } catch (error) {
      showErrors(main, problemItems(error));
    }
  });
}
