// HTML building with every interpolated value escaped: API data is never trusted as markup.

const RAW = Symbol('raw');

export function raw(markup) {
  return { [RAW]: markup };
}

function text(value) {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(text).join('');
  if (typeof value === 'object' && RAW in value) return value[RAW];
  return String(value)
    .replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

export function html(strings, ...values) {
  return raw(strings.reduce((out, part, i) => out + part + (i < values.length ? text(values[i]) : ''), ''));
}

export function render(element, view) {
  element.innerHTML = text(view);
}

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'Europe/London',
});

export function formatDate(iso) {
  return iso ? DATE.format(new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso)) : 'Not known';
}

export function formatDateTime(iso) {
  return iso ? DATE_TIME.format(new Date(iso)) : 'Not known';
}

// UPPER_SNAKE codes from the API, as words: HOME_VISIT is "Home visit".
export function words(code) {
  if (!code) return '';
  const spaced = String(code).replaceAll('_', ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const BAND_COLOURS = { LOW: 'green', MEDIUM: 'yellow', HIGH: 'orange', VERY_HIGH: 'red', NOT_APPLICABLE: 'grey' };

export function bandTag(band) {
  if (!band) return html`<span class="govuk-hint app-inline-hint">None</span>`;
  const colour = BAND_COLOURS[band] ?? 'grey';
  return html`<strong class="govuk-tag govuk-tag--${colour}">${words(band)}</strong>`;
}

export function tierTag(tier) {
  return tier ? html`<strong class="govuk-tag govuk-tag--blue">${tier}</strong>` : html`<span>Not tiered</span>`;
}

export function summaryList(rows) {
  return html`<dl class="govuk-summary-list">${rows.filter(Boolean).map(([key, value]) => html`
    <div class="govuk-summary-list__row">
      <dt class="govuk-summary-list__key">${key}</dt>
      <dd class="govuk-summary-list__value">${value}</dd>
    </div>`)}</dl>`;
}

export function backLink(href, label = 'Back') {
  return html`<a href="${href}" class="govuk-back-link">${label}</a>`;
}

export function notificationBanner({ title = 'Important', heading, body = '', success = false, id = 'banner' }) {
  const role = success ? 'alert' : 'region';
  return html`
    <div class="govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}" role="${role}"
         aria-labelledby="${id}-title" data-module="govuk-notification-banner" id="${id}">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="${id}-title">${title}</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">${heading}</p>
        ${body}
      </div>
    </div>`;
}

// The problems with a form, each linked to its control. An item's data (name -> value) goes on its link as
// data-* attributes, for a screen that opens the control's view itself. autoFocus: false where the summary
// is shown again without a new submission, so focus stays where the person is.
export function errorSummary(items, { autoFocus = true } = {}) {
  const data = (item) => Object.entries(item.data ?? {}).map(([name, value]) => html` data-${name}="${value}"`);
  return html`
    <div class="govuk-error-summary" data-module="govuk-error-summary"${autoFocus ? '' : html` data-disable-auto-focus="true"`}>
      <div role="alert">
        <h2 class="govuk-error-summary__title">There is a problem</h2>
        <div class="govuk-error-summary__body">
          <ul class="govuk-list govuk-error-summary__list">
            ${items.map((item) => (item.href
              ? html`<li><a href="${item.href}"${data(item)}>${item.text}</a></li>`
              : html`<li>${item.text}</li>`))}
          </ul>
        </div>
      </div>
    </div>`;
}

// "1 answer", "2 answers": a count with its noun, singular or plural as the count needs.
export function plural(count, singular, pluralForm = `${singular}s`) {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

// A capacity or share as a whole percent ("86%"); "Not known" where there is none.
export function percent(value) {
  return value === null || value === undefined ? 'Not known' : `${Math.round(value)}%`;
}

// A long text answer with GOV.UK's character count: the limit is shown as people type, not only on saving.
export function characterCount({ id, label, hint, value = '', limit, rows = 5 }) {
  return html`
    <div class="govuk-form-group govuk-character-count" data-module="govuk-character-count" data-maxlength="${limit}">
      <label class="govuk-label govuk-label--m" for="${id}">${label}</label>
      <div id="${id}-hint" class="govuk-hint">${hint}</div>
      <textarea class="govuk-textarea govuk-js-character-count" id="${id}" name="${id}" rows="${rows}" aria-describedby="${id}-info ${id}-hint">${value}</textarea>
      <div id="${id}-info" class="govuk-hint govuk-character-count__message">You can enter up to ${limit.toLocaleString('en-GB')} characters</div>
    </div>`;
}
