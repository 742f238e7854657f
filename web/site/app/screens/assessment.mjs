// The OASys assessment: answers the system pre-filled, each with its source and a confirm control; the
// questions still to answer; and completing it. Every change carries the ETag read (If-Match).
import { ApiError } from '../api.mjs';
import { SOURCES, answerText, questionCatalogue } from '../catalogue.mjs';
import { problemItems, showErrors } from '../forms.mjs';
import { backLink, formatDateTime, html, notificationBanner, render } from '../view.mjs';

const controlId = (code) => `q-${code.replaceAll('.', '-')}`;

function sourceTag(answer) {
  const source = SOURCES[answer.source];
  return html`<strong class="govuk-tag govuk-tag--${source.colour}">${source.label}</strong>`;
}

function prefilledTable(assessment, catalogue) {
  const rows = Object.entries(assessment.answers).filter(([, a]) => a.source !== 'ASSESSOR');
  if (!rows.length) return html`<p class="govuk-body">Nothing could be pre-filled for this case.</p>`;
  return html`
    <div class="app-table-scroll">
    <table class="govuk-table">
      <caption class="govuk-table__caption govuk-table__caption--m">Pre-filled answers</caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">
        <th scope="col" class="govuk-table__header">Question</th>
        <th scope="col" class="govuk-table__header">Answer</th>
        <th scope="col" class="govuk-table__header">Source</th>
        <th scope="col" class="govuk-table__header">Confirm</th>
      </tr></thead>
      <tbody class="govuk-table__body">${rows.map(([code, answer]) => {
        const question = catalogue.questions.get(code);
        return html`<tr class="govuk-table__row">
          <td class="govuk-table__cell">${code} ${question?.text ?? ''}</td>
          <td class="govuk-table__cell">${answerText(question, answer.value)}</td>
          <td class="govuk-table__cell">${sourceTag(answer)}${answer.sourceRef ? html`<br><span class="govuk-body-s">${answer.sourceRef}</span>` : ''}</td>
          <td class="govuk-table__cell">${answer.confirmed
            ? html`<strong class="govuk-tag govuk-tag--green">Confirmed</strong>`
            : html`<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">
                <input class="govuk-checkboxes__input" id="confirm-${controlId(code)}" name="confirm" type="checkbox" value="${code}">
                <label class="govuk-label govuk-checkboxes__label" for="confirm-${controlId(code)}">Confirm<span class="govuk-visually-hidden"> answer to ${code}</span></label>
              </div></div>`}</td>
        </tr>`;
      })}</tbody>
    </table></div>`;
}

// The questions completion still needs, by section: what the assessor has left to do.
function requiredUnanswered(assessment, catalogue) {
  return catalogue.sections
    .map((section) => ({ ...section, questions: section.questions.filter((q) => q.requiredForCompletion && !(q.code in assessment.answers)) }))
    .filter((section) => section.questions.length);
}

function remainingQuestions(sections) {
  if (!sections.length) return html`<p class="govuk-body">Every required question has an answer.</p>`;
  return sections.map((section) => html`
    <h3 class="govuk-heading-s">Section ${section.id}: ${section.title}</h3>
    ${section.questions.map((question) => html`
      <div class="govuk-form-group">
        <fieldset class="govuk-fieldset">
          <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${question.code} ${question.text}</legend>
          <div class="govuk-radios govuk-radios--small govuk-radios--inline" data-module="govuk-radios">
            ${question.options.map((option, index) => html`
              <div class="govuk-radios__item">
                <input class="govuk-radios__input" id="${index ? `${controlId(question.code)}-${index}` : controlId(question.code)}"
                       name="answer:${question.code}" type="radio" value="${option.code}">
                <label class="govuk-label govuk-radios__label" for="${index ? `${controlId(question.code)}-${index}` : controlId(question.code)}">${option.label}</label>
              </div>`)}
          </div>
        </fieldset>
      </div>`)}`);
}

export async function assessmentScreen(context, crn) {
  const { api, main } = context;
  render(context.beforeContent, backLink(`#/cases/${crn}`));
  const [{ data: overview }, { data: list }] = await Promise.all([
    api(`/cases/${crn}/overview`),
    api(`/cases/${crn}/assessments`),
  ]);
  const name = `${overview.case.firstName} ${overview.case.lastName}`;
  context.title(`OASys assessment for ${name}`);
  const open = list.items.find((a) => a.status === 'DRAFT');
  if (!open) {
    render(main, html`
      <div id="errors"></div>
      <span class="govuk-caption-l">${name} · CRN ${crn}</span>
      <h1 class="govuk-heading-l">OASys assessment</h1>
      <p class="govuk-body">There is no assessment in progress. A new one starts with every answer the case record,
        the risk scores and the last assessment can give.</p>
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
    return;
  }

  const path = `/cases/${crn}/assessments/${open.assessmentId}`;
  let { data: assessment, etag } = await api(path);
  const catalogue = await questionCatalogue(api, assessment.catalogueVersion);
  const fields = Object.fromEntries([...catalogue.questions.keys()].map((code) => [
    code, { id: controlId(code), label: `Question ${code}` },
  ]));
  for (const code of catalogue.questions.keys()) fields[`answers.${code}`] = fields[code];

  const show = (banner = '') => {
    const { summary } = assessment;
    const sections = requiredUnanswered(assessment, catalogue);
    const left = sections.reduce((total, section) => total + section.questions.length, 0);
    render(main, html`
      <div id="errors"></div>
      ${banner}
      <span class="govuk-caption-l">${name} · CRN ${crn}</span>
      <h1 class="govuk-heading-l">OASys assessment</h1>
      <p class="govuk-body">Started ${formatDateTime(assessment.createdAt)} by ${assessment.createdBy}.
        ${summary.prefilled} of ${summary.questions} answers pre-filled, ${summary.confirmed} confirmed,
        <strong>${left} required ${left === 1 ? 'question' : 'questions'} left to answer</strong>.</p>
      <form id="confirm-form" novalidate>
        ${prefilledTable(assessment, catalogue)}
        <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">Confirm selected answers</button>
      </form>
      <form id="answer-form" novalidate>
        <h2 class="govuk-heading-m">Questions to answer</h2>
        ${remainingQuestions(sections)}
        <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">Save answers</button>
      </form>
      <h2 class="govuk-heading-m">Complete the assessment</h2>
      <p class="govuk-body">Completing locks the assessment, scores its sections and updates the risk scores.</p>
      <button type="button" class="govuk-button" id="complete" data-module="govuk-button">Complete assessment</button>`);
    context.ready();
    main.querySelector('#confirm-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const codes = new FormData(event.target).getAll('confirm');
      change({ answers: Object.fromEntries(codes.map((code) => [code, { confirm: true }])) }, `${codes.length} answers confirmed`);
    });
    main.querySelector('#answer-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const answers = {};
      for (const [key, value] of new FormData(event.target).entries()) answers[key.replace(/^answer:/, '')] = { value };
      change({ answers }, `${Object.keys(answers).length} answers saved`);
    });
    main.querySelector('#complete').addEventListener('click', complete);
  };

  function conflict() {
    show(notificationBanner({
      id: 'conflict',
      heading: 'Someone else changed this assessment, or new facts refreshed it, since you opened it',
      body: html`<p class="govuk-body">Nothing you sent was saved. The latest version is shown: check it and make your changes again.</p>`,
    }));
    showErrors(main, [{ text: 'The assessment changed: the latest version is now shown', href: '#conflict' }]);
  }

  async function reload() {
    ({ data: assessment, etag } = await api(path));
  }

  async function send(request, success) {
    try {
      ({ data: assessment, etag } = await request());
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        await reload();
        conflict();
        return;
      }
      showErrors(main, problemItems(error, fields));
      return;
    }
    show(notificationBanner({ title: 'Success', heading: success, success: true }));
  }

  function change(patch, success) {
    if (!Object.keys(patch.answers).length) {
      showErrors(main, [{ text: 'Select at least one answer first' }]);
      return;
    }
    return send(() => api(path, { method: 'PATCH', body: patch, headers: { 'If-Match': etag } }), success);
  }

  async function complete() {
    await send(() => api(`${path}/complete`, { method: 'POST', headers: { 'If-Match': etag } }), 'Assessment completed');
    if (assessment.status === 'COMPLETED') {
      context.flash({ success: `OASys assessment completed for ${name}` });
      context.navigate(`/cases/${crn}`);
    }
  }

  show();
}
