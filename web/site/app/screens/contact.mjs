// Record a contact. The form is a draft kept in this browser (localStorage, by author and case) from the
// author's first keystroke until the API accepts it, so a reload or a lost connection loses nothing, and
// no one else signing in on this browser is ever offered it. The draft carries its Idempotency-Key, so a
// retry after a lost response cannot record the contact twice, and the ETag of the case as the author read
// it, so a change by someone else meanwhile is shown (412), not overridden.
import { ApiError, Unreachable } from '../api.mjs';
import { readDate, readTime, ukInstant } from '../dates.mjs';
import { discardDraft, loadDraft, saveDraft } from '../drafts.mjs';
import { clearErrors, problemItems, showErrors } from '../forms.mjs';
import {
  backLink, characterCount, formatDateTime, html, notificationBanner, render, summaryList,
} from '../view.mjs';
import { CONTACT_OUTCOMES, CONTACT_TYPES } from '../wording.mjs';

const TYPES = Object.keys(CONTACT_TYPES);
const OUTCOMES = Object.keys(CONTACT_OUTCOMES);
const LABELS = { ...CONTACT_TYPES, ...CONTACT_OUTCOMES };
const FIELDS = ['type', 'day', 'month', 'year', 'time', 'outcome', 'notes', 'sensitive'];
const NOTES_LIMIT = 4000;
const CLOCK_SKEW_MS = 2 * 60 * 1000; // as the API allows: a device clock a little ahead
const DRAFT = 'contact';
const API_FIELDS = {
  type: { id: 'type', label: 'Type of contact' },
  contactDate: { id: 'contact-date-day', label: 'Date of contact' },
  outcome: { id: 'outcome', label: 'Outcome' },
  notes: { id: 'notes', label: 'Notes' },
  sensitive: { id: 'sensitive', label: 'Sensitive' },
  'Idempotency-Key': { id: 'type', label: 'This contact' },
};

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
        <div id="contact-date-hint" class="govuk-hint">For example, 27 3 2026. A meeting still to come is an appointment, not a contact.</div>
        <div class="govuk-date-input" id="contact-date">
          ${part('day', 'Day', 2)}${part('month', 'Month', 2)}${part('year', 'Year', 4)}
        </div>
      </fieldset>
    </div>
    <div class="govuk-form-group">
      <label class="govuk-label govuk-label--m" for="time">Time of contact</label>
      <div id="time-hint" class="govuk-hint">UK time, 24-hour clock, for example 14:30</div>
      <input class="govuk-input govuk-input--width-5" id="time" name="time" type="text" inputmode="numeric"
             autocomplete="off" aria-describedby="time-hint" value="${values.time ?? ''}">
    </div>`;
}

function tenthBirthday(dateOfBirth) {
  const [year, month, day] = dateOfBirth.split('-').map(Number);
  // Born on 29 February: the tenth birthday (never in a leap year) falls on 28 February.
  return { year: year + 10, month, day: month === 2 && day === 29 ? 28 : day };
}

// The request body from the form, or the problems that stop it being sent (the API checks it again).
function contactFrom(values, person) {
  const problems = [];
  if (!values.type) problems.push({ id: 'type', message: 'Select the type of contact' });
  const { date, problem: dateProblem } = readDate('date of contact', values, {
    earliest: tenthBirthday(person.dateOfBirth),
    earliestReason: 'the person\'s 10th birthday',
  });
  if (dateProblem) {
    const inputs = dateProblem.parts.map((part) => `contact-date-${part}`);
    problems.push({ id: inputs[0], inputs, message: dateProblem.message });
  }
  const { time, problem: timeProblem } = readTime('time of contact', values.time);
  if (timeProblem) problems.push({ id: 'time', message: timeProblem.message });
  const when = date && time ? ukInstant(date, time) : null;
  if (when && when.getTime() > Date.now() + CLOCK_SKEW_MS) {
    problems.push({ id: 'time', message: 'Time of contact must be now or in the past' });
  }
  if (String(values.notes ?? '').length > NOTES_LIMIT) {
    problems.push({ id: 'notes', message: `Notes must be ${NOTES_LIMIT.toLocaleString('en-GB')} characters or fewer` });
  }
  if (problems.length) return { problems: problems.map((p) => ({ ...p, text: p.message, href: `#${p.id}` })) };
  const body = { type: values.type, contactDate: when.toISOString(), sensitive: values.sensitive === 'yes' };
  if (values.outcome) body.outcome = values.outcome;
  if (String(values.notes ?? '').trim()) body.notes = values.notes;
  return { body };
}

export async function contactScreen(context, crn) {
  const { api, main, session } = context;
  const { data: overview, etag } = await api(`/cases/${crn}/overview`);
  const c = overview.case;
  const name = `${c.firstName} ${c.lastName}`;
  context.title(`Record a contact for ${name}`);
  render(context.beforeContent, backLink(`#/cases/${crn}`));

  // Made on the first keystroke: opening the form and leaving it keeps nothing.
  let draft = loadDraft(session, DRAFT, crn);
  const restored = Boolean(draft);
  const keep = (values) => {
    draft ??= { idempotencyKey: crypto.randomUUID(), caseEtag: etag };
    draft.values = values;
    saveDraft(session, DRAFT, crn, draft);
  };
  const values = () => draft?.values ?? {};

  const show = (banner = '') => {
    const typed = values();
    render(main, html`
      <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
        <div id="errors"></div>
        <div id="banner-slot">${banner}</div>
        <span class="govuk-caption-l">${name} · CRN ${crn}</span>
        <h1 class="govuk-heading-l">Record a contact</h1>
        <form id="contact-form" novalidate>
          ${radios('type', 'Type of contact', TYPES, typed.type)}
          ${dateInput(typed)}
          ${radios('outcome', 'Outcome (optional)', OUTCOMES, typed.outcome)}
          ${characterCount({
            id: 'notes',
            label: 'Notes',
            hint: 'Kept in this browser for you alone as you type, until the contact is recorded or you sign out.',
            value: typed.notes ?? '',
            limit: NOTES_LIMIT,
            rows: 6,
          })}
          <div class="govuk-form-group">
            <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
              <div class="govuk-checkboxes__item">
                <input class="govuk-checkboxes__input" id="sensitive" name="sensitive" type="checkbox" value="yes" ${typed.sensitive === 'yes' ? html`checked` : ''}>
                <label class="govuk-label govuk-checkboxes__label" for="sensitive">This contact is sensitive</label>
              </div>
            </div>
          </div>
          <div class="govuk-button-group" id="actions">
            <button type="submit" class="govuk-button" data-module="govuk-button">Save contact</button>
            <button type="button" class="govuk-button govuk-button--secondary" id="discard" data-module="govuk-button" ${draft ? '' : html`hidden`}>Discard draft</button>
          </div>
          <div id="discard-confirmation"></div>
        </form>
      </div></div>`);
    context.ready();
    const form = main.querySelector('#contact-form');
    form.addEventListener('input', () => {
      const entries = new FormData(form);
      keep(Object.fromEntries(FIELDS.map((field) => [field, entries.get(field) ?? undefined])));
      main.querySelector('#discard').hidden = false;
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    main.querySelector('#discard').addEventListener('click', askToDiscard);
  };

  // Discarding loses what was typed: it is asked first, and the question can be declined.
  function askToDiscard() {
    const slot = main.querySelector('#discard-confirmation');
    render(slot, html`
      <div class="govuk-warning-text">
        <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
        <strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>
          Discard this draft? What you have typed will be deleted from this browser.</strong>
      </div>
      <div class="govuk-button-group">
        <button type="button" class="govuk-button govuk-button--warning" id="discard-confirm" data-module="govuk-button">Yes, discard the draft</button>
        <button type="button" class="govuk-button govuk-button--secondary" id="discard-cancel" data-module="govuk-button">No, keep it</button>
      </div>`);
    slot.querySelector('#discard-confirm').addEventListener('click', () => {
      discardDraft(session, DRAFT, crn);
      context.navigate(`/cases/${crn}`);
    });
    slot.querySelector('#discard-cancel').addEventListener('click', () => {
      render(slot, '');
      main.querySelector('#discard').focus();
    });
    slot.querySelector('#discard-confirm').focus();
  }

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
    saveDraft(session, DRAFT, crn, draft);
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
    const { body, problems } = contactFrom(values(), c);
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
    discardDraft(session, DRAFT, crn);
    context.flash({ success: `Contact recorded for ${name}` });
    context.navigate(`/cases/${crn}`);
  }

  show(restored ? notificationBanner({
    id: 'restored',
    heading: `Your unsaved draft from ${formatDateTime(draft.savedAt)} has been restored`,
  }) : '');
}
