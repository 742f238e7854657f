// Record a contact. The form is a draft kept in this browser (localStorage, by case) from the first
// keystroke until the API accepts it, so a reload or a lost connection loses nothing. The draft carries
// its Idempotency-Key, so a retry after a lost response cannot record the contact twice, and the ETag of
// the case as the author read it, so a change by someone else meanwhile is shown (412), not overridden.
import { ApiError, Unreachable } from '../api.mjs';
import { clearErrors, problemItems, showErrors } from '../forms.mjs';
import { backLink, formatDateTime, html, notificationBanner, render, summaryList } from '../view.mjs';

const TYPES = ['OFFICE_APPOINTMENT', 'HOME_VISIT', 'VIDEO_APPOINTMENT', 'PHONE_CALL', 'EMAIL', 'UNPAID_WORK_SESSION', 'PROGRAMME_SESSION', 'CASE_NOTE'];
const OUTCOMES = ['ATTENDED_COMPLIED', 'ATTENDED_FAILED_TO_COMPLY', 'FAILED_TO_ATTEND_ACCEPTABLE', 'FAILED_TO_ATTEND_UNACCEPTABLE', 'RESCHEDULED'];
const LABELS = {
  OFFICE_APPOINTMENT: 'Office appointment', HOME_VISIT: 'Home visit', VIDEO_APPOINTMENT: 'Video appointment',
  PHONE_CALL: 'Phone call', EMAIL: 'Email', UNPAID_WORK_SESSION: 'Unpaid work session',
  PROGRAMME_SESSION: 'Programme session', CASE_NOTE: 'Case note',
  ATTENDED_COMPLIED: 'Attended and complied', ATTENDED_FAILED_TO_COMPLY: 'Attended but failed to comply',
  FAILED_TO_ATTEND_ACCEPTABLE: 'Failed to attend: acceptable absence',
  FAILED_TO_ATTEND_UNACCEPTABLE: 'Failed to attend: unacceptable absence', RESCHEDULED: 'Rescheduled',
};
const FIELDS = ['type', 'day', 'month', 'year', 'time', 'outcome', 'notes', 'sensitive'];
const API_FIELDS = {
  type: { id: 'type', label: 'Type of contact' },
  contactDate: { id: 'contact-date-day', label: 'Date and time of contact' },
  outcome: { id: 'outcome', label: 'Outcome' },
  notes: { id: 'notes', label: 'Notes' },
  sensitive: { id: 'sensitive', label: 'Sensitive' },
  'Idempotency-Key': { id: 'type', label: 'This contact' },
};

const draftKey = (crn) => `probation.contact-draft.${crn}`;

function loadDraft(crn) {
  return JSON.parse(localStorage.getItem(draftKey(crn)) ?? 'null');
}

function saveDraft(crn, draft) {
  localStorage.setItem(draftKey(crn), JSON.stringify({ ...draft, savedAt: new Date().toISOString() }));
}

function radios(name, legend, options, chosen) {
  return html`
    <div class="govuk-form-group">
      <fieldset class="govuk-fieldset">
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">${legend}</legend>
        <div class="govuk-radios govuk-radios--small" data-module="govuk-radios">
          ${options.map((option, index) => html`
            <div class="govuk-radios__item">
              <input class="govuk-radios__input" id="${index ? `${name}-${index}` : name}" name="${name}" type="radio"
                     value="${option}" ${option === chosen ? html`checked` : ''}>
              <label class="govuk-label govuk-radios__label" for="${index ? `${name}-${index}` : name}">${LABELS[option]}</label>
            </div>`)}
        </div>
      </fieldset>
    </div>`;
}

function dateInput(values) {
  const part = (name, label, width) => html`
    <div class="govuk-date-input__item"><div class="govuk-form-group">
      <label class="govuk-label govuk-date-input__label" for="contact-date-${name}">${label}</label>
      <input class="govuk-input govuk-date-input__input govuk-input--width-${width}" id="contact-date-${name}"
             name="${name}" type="text" inputmode="numeric" value="${values[name] ?? ''}">
    </div></div>`;
  return html`
    <div class="govuk-form-group">
      <fieldset class="govuk-fieldset" role="group" aria-describedby="contact-date-hint">
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">Date of contact</legend>
        <div id="contact-date-hint" class="govuk-hint">For example, 27 3 2026</div>
        <div class="govuk-date-input" id="contact-date">
          ${part('day', 'Day', 2)}${part('month', 'Month', 2)}${part('year', 'Year', 4)}
        </div>
      </fieldset>
    </div>
    <div class="govuk-form-group">
      <label class="govuk-label govuk-label--s" for="time">Time</label>
      <div id="time-hint" class="govuk-hint">24-hour clock, for example 14:30</div>
      <input class="govuk-input govuk-input--width-5" id="time" name="time" type="text" inputmode="numeric"
             aria-describedby="time-hint" value="${values.time ?? ''}">
    </div>`;
}

// The request body from the form, or the problems that stop it being sent (the API checks it again).
function contactFrom(values) {
  const problems = [];
  if (!values.type) problems.push({ id: 'type', message: 'Select the type of contact' });
  const [day, month, year] = [values.day, values.month, values.year].map((v) => String(v ?? '').trim());
  const time = String(values.time ?? '').trim() || '00:00';
  const timeOk = /^([01]?\d|2[0-3]):[0-5]\d$/.test(time);
  const pad = (v, n) => v.padStart(n, '0');
  const when = new Date(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(time, 5)}:00`);
  if (!day || !month || !year || Number.isNaN(when.getTime()) || !timeOk || when.getDate() !== Number(day)) {
    problems.push({ id: 'contact-date-day', message: 'Enter a real date and time of contact, like 27 3 2026 and 14:30' });
  }
  if (problems.length) return { problems: problems.map((p) => ({ ...p, text: p.message, href: `#${p.id}` })) };
  const body = { type: values.type, contactDate: when.toISOString(), sensitive: values.sensitive === 'yes' };
  if (values.outcome) body.outcome = values.outcome;
  if (String(values.notes ?? '').trim()) body.notes = values.notes;
  return { body };
}

export async function contactScreen(context, crn) {
  const { api, main } = context;
  const { data: overview, etag } = await api(`/cases/${crn}/overview`);
  const c = overview.case;
  const name = `${c.firstName} ${c.lastName}`;
  context.title(`Record a contact for ${name}`);
  render(context.beforeContent, backLink(`#/cases/${crn}`));

  let draft = loadDraft(crn);
  const restored = Boolean(draft);
  if (!draft) {
    const now = new Date();
    draft = {
      idempotencyKey: crypto.randomUUID(),
      caseEtag: etag,
      values: { day: String(now.getDate()), month: String(now.getMonth() + 1), year: String(now.getFullYear()), time: now.toTimeString().slice(0, 5) },
    };
    saveDraft(crn, draft);
  }

  const show = (banner = '') => {
    const values = draft.values;
    render(main, html`
      <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
        <div id="errors"></div>
        <div id="banner-slot">${banner}</div>
        <span class="govuk-caption-l">${name} · CRN ${crn}</span>
        <h1 class="govuk-heading-l">Record a contact</h1>
        <form id="contact-form" novalidate>
          ${radios('type', 'Type of contact', TYPES, values.type)}
          ${dateInput(values)}
          ${radios('outcome', 'Outcome (optional)', OUTCOMES, values.outcome)}
          <div class="govuk-form-group">
            <label class="govuk-label govuk-label--m" for="notes">Notes</label>
            <div id="notes-hint" class="govuk-hint">Saved in this browser as you type until the contact is recorded.</div>
            <textarea class="govuk-textarea" id="notes" name="notes" rows="6" aria-describedby="notes-hint">${values.notes ?? ''}</textarea>
          </div>
          <div class="govuk-form-group">
            <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
              <div class="govuk-checkboxes__item">
                <input class="govuk-checkboxes__input" id="sensitive" name="sensitive" type="checkbox" value="yes" ${values.sensitive === 'yes' ? html`checked` : ''}>
                <label class="govuk-label govuk-checkboxes__label" for="sensitive">This contact is sensitive</label>
              </div>
            </div>
          </div>
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" data-module="govuk-button">Save contact</button>
            <button type="button" class="govuk-button govuk-button--warning" id="discard" data-module="govuk-button">Discard draft</button>
          </div>
        </form>
      </div></div>`);
    context.ready();
    const form = main.querySelector('#contact-form');
    form.addEventListener('input', () => {
      const entries = new FormData(form);
      draft.values = Object.fromEntries(FIELDS.map((field) => [field, entries.get(field) ?? undefined]));
      saveDraft(crn, draft);
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    main.querySelector('#discard').addEventListener('click', () => {
      localStorage.removeItem(draftKey(crn));
      context.navigate(`/cases/${crn}`);
    });
  };

  const conflictBanner = () => notificationBanner({
    id: 'conflict',
    heading: 'Someone else changed this case while you were writing',
    body: html`<p class="govuk-body">Your contact has not been recorded yet and your draft is kept.
      Reload the latest case details, check your draft still fits them, then save it again.</p>
      <button type="button" class="govuk-button govuk-!-margin-bottom-0" id="reapply" data-module="govuk-button">Reload the case and re-apply my draft</button>`,
  });

  async function reapply() {
    const latest = await api(`/cases/${crn}/overview`);
    draft.caseEtag = latest.etag;
    saveDraft(crn, draft);
    const now = latest.data.case;
    show(notificationBanner({
      id: 'reloaded',
      heading: 'Your draft has been re-applied to the latest case details',
      body: summaryList([
        ['Name', `${now.firstName} ${now.lastName}`],
        ['Address', now.address ? [now.address.addressLine1, now.address.town, now.address.postcode].filter(Boolean).join(', ') : 'Not known'],
        ['Last changed', formatDateTime(now.updatedAt)],
      ]),
    }));
  }

  async function submit() {
    clearErrors(main);
    const { body, problems } = contactFrom(draft.values);
    if (problems) {
      showErrors(main, problems);
      return;
    }
    try {
      await api(`/cases/${crn}/contacts`, {
        method: 'POST',
        body,
        headers: { 'Idempotency-Key': draft.idempotencyKey, 'If-Match': draft.caseEtag },
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        render(main.querySelector('#banner-slot'), conflictBanner());
        showErrors(main, [{ text: 'Someone else changed this case: reload it and re-apply your draft', href: '#conflict' }]);
        main.querySelector('#reapply').addEventListener('click', reapply);
        return;
      }
      const items = error instanceof Unreachable
        ? [{ text: `${error.message} Your draft is kept in this browser: save again when you are connected.` }]
        : problemItems(error, API_FIELDS);
      showErrors(main, items);
      return;
    }
    localStorage.removeItem(draftKey(crn));
    context.flash({ success: `Contact recorded for ${name}` });
    context.navigate(`/cases/${crn}`);
  }

  show(restored ? notificationBanner({
    id: 'restored',
    heading: `Your unsaved draft from ${formatDateTime(draft.savedAt)} has been restored`,
  }) : '');
}
