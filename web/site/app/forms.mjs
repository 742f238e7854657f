// Problems shown the GOV.UK way (https://design-system.service.gov.uk/components/error-message/): an error
// summary linking to each control, and in the control's group the message under its hint, the red border on
// the inputs that are wrong (only those), the message added to what the control is described by, and
// "Error: " at the start of the page title.
import { initAll } from '/govuk/govuk-frontend.min.js';
import { ApiError } from './api.mjs';
import { errorSummary, render } from './view.mjs';

const ERROR_TITLE = 'Error: ';
const INPUT_ERROR_CLASSES = {
  INPUT: 'govuk-input--error', TEXTAREA: 'govuk-textarea--error', SELECT: 'govuk-select--error',
};

// fields: the API's field name (a JSON path or a header) -> { id: the control's id, label: its name }.
export function problemItems(error, fields = {}) {
  if (!(error instanceof ApiError)) return [{ text: error.message }];
  if (!error.fieldErrors.length) return [{ text: error.problem.detail ?? error.problem.title ?? error.message }];
  return error.fieldErrors.map(({ field, message }) => {
    const known = fields[field];
    return known
      ? { text: `${known.label} ${message}`, href: `#${known.id}`, id: known.id, message: `${known.label} ${message}` }
      : { text: `${field}: ${message}` };
  });
}

export function clearErrors(scope) {
  scope.querySelectorAll('.govuk-form-group--error').forEach((group) => group.classList.remove('govuk-form-group--error'));
  for (const className of Object.values(INPUT_ERROR_CLASSES)) {
    scope.querySelectorAll(`.${className}`).forEach((input) => input.classList.remove(className));
  }
  scope.querySelectorAll('.app-field-error').forEach((message) => {
    const described = scope.querySelector(`[aria-describedby~="${CSS.escape(message.id)}"]`);
    if (described) describe(described, without(described, message.id));
    message.remove();
  });
  const summary = scope.querySelector('#errors');
  if (summary) summary.innerHTML = '';
  if (document.title.startsWith(ERROR_TITLE)) document.title = document.title.slice(ERROR_TITLE.length);
}

function without(element, id) {
  return (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((token) => token && token !== id);
}

function describe(element, ids) {
  if (ids.length) element.setAttribute('aria-describedby', ids.join(' '));
  else element.removeAttribute('aria-describedby');
}

// The group a control belongs to: for a date input's day, month or year, the whole date's group.
function groupOf(control) {
  const date = control.closest('.govuk-date-input');
  return (date ?? control).closest('.govuk-form-group:not(.govuk-date-input__item .govuk-form-group)')
    ?? control.closest('.govuk-form-group');
}

// items: {text, href} for the summary; with id (the control) and message, also shown at the control; with
// inputs (ids), the inputs to mark as wrong, when they are not just the control itself.
export function showErrors(scope, items) {
  clearErrors(scope);
  const summary = scope.querySelector('#errors');
  render(summary, errorSummary(items));
  for (const item of items.filter((i) => i.id)) {
    const control = scope.querySelector(`#${CSS.escape(item.id)}`);
    const group = control && groupOf(control);
    if (!group) continue;
    group.classList.add('govuk-form-group--error');
    for (const id of item.inputs ?? [item.id]) {
      const input = scope.querySelector(`#${CSS.escape(id)}`);
      const className = input && INPUT_ERROR_CLASSES[input.tagName];
      if (className && input.type !== 'radio' && input.type !== 'checkbox') input.classList.add(className);
    }
    const message = document.createElement('p');
    message.className = 'govuk-error-message app-field-error';
    message.id = `${item.id}-error`;
    message.innerHTML = '<span class="govuk-visually-hidden">Error:</span> ';
    message.append(item.message ?? item.text);
    const fieldset = group.querySelector('.govuk-fieldset');
    const container = fieldset ?? group;
    const hint = container.querySelector(':scope > .govuk-hint');
    const heading = container.querySelector(':scope > .govuk-fieldset__legend, :scope > .govuk-label, :scope > h1 > .govuk-label');
    (hint ?? heading?.closest('h1') ?? heading)?.after(message);
    const described = fieldset ?? control;
    describe(described, [...without(described, message.id), message.id]);
  }
  if (!document.title.startsWith(ERROR_TITLE)) document.title = `${ERROR_TITLE}${document.title}`;
  initAll({ scope: summary });
}

export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

// The named controls' values, undefined for one left empty or not on the form.
export function readForm(form, names) {
  const data = new FormData(form);
  return Object.fromEntries(names.map((field) => [field, data.get(field) ?? undefined]));
}

// A form whose answers are checked on a page of their own before they are sent ("check your answers"). The
// problems the API gave that page, sent back here, are shown at their fields; answers that pass ``check``
// (values -> { body } or { problems }) are kept under ``key`` in ``pending`` with one Idempotency-Key for
// that page, so sent again from it the request is made once; then ``onward`` opens it.
export function checkAnswersFirst({ scope, form, fields, pending, key, check, onward }) {
  const returned = pending.get(key);
  if (returned?.problems) {
    showErrors(scope, returned.problems);
    delete returned.problems;
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(scope);
    const values = readForm(event.target, fields);
    const { body, problems } = check(values);
    if (problems) {
      showErrors(scope, problems);
      return;
    }
    pending.set(key, { values, body, idempotencyKey: crypto.randomUUID() });
    onward();
  });
}

// A button whose action is sent once: a second press while the first is on its way sends nothing more. The
// button is announced as unavailable meanwhile, and is pressable again once the action has ended.
export function sendOnce(button, action) {
  let sending = false;
  button.addEventListener('click', async () => {
    if (sending) return;
    sending = true;
    button.setAttribute('aria-disabled', 'true');
    try {
      await action();
    } finally {
      sending = false;
      button.removeAttribute('aria-disabled');
    }
  });
}
