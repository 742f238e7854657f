// Problems from the API shown the GOV.UK way: an error summary naming each field, linked to the control,
// and the message again beside the control.
import { initAll } from '/govuk/govuk-frontend.min.js';
import { ApiError } from './api.mjs';
import { errorSummary, render } from './view.mjs';

// fields: the API's field name (a JSON path or a header) -> { id: the control's id, label: its name }.
export function problemItems(error, fields = {}) {
  if (!(error instanceof ApiError)) return [{ text: error.message }];
  if (!error.fieldErrors.length) return [{ text: error.problem.detail ?? error.problem.title ?? error.message }];
  return error.fieldErrors.map(({ field, message }) => {
    const known = fields[field];
    return known
      ? { text: `${known.label}: ${message}`, href: `#${known.id}`, id: known.id, message }
      : { text: `${field}: ${message}` };
  });
}

export function clearErrors(scope) {
  scope.querySelectorAll('.govuk-form-group--error').forEach((group) => group.classList.remove('govuk-form-group--error'));
  scope.querySelectorAll('.app-field-error').forEach((message) => message.remove());
  const summary = scope.querySelector('#errors');
  if (summary) summary.innerHTML = '';
}

export function showErrors(scope, items) {
  clearErrors(scope);
  const summary = scope.querySelector('#errors');
  render(summary, errorSummary(items));
  for (const item of items.filter((i) => i.id)) {
    const control = scope.querySelector(`#${CSS.escape(item.id)}`);
    const group = control?.closest('.govuk-form-group');
    if (!group) continue;
    group.classList.add('govuk-form-group--error');
    const message = document.createElement('p');
    message.className = 'govuk-error-message app-field-error';
    message.id = `${item.id}-error`;
    message.innerHTML = '<span class="govuk-visually-hidden">Error:</span> ';
    message.append(item.message);
    const anchor = group.querySelector('.govuk-fieldset__legend, .govuk-label, .govuk-hint');
    (anchor?.closest('legend') ?? anchor)?.after(message);
    control.setAttribute('aria-describedby', message.id);
  }
  initAll({ scope: summary });
}

export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}
