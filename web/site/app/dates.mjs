// Dates and times as people type them, checked the GOV.UK way: a day, a month and a 4-digit year, each
// problem with the design system's own message, naming only the parts that are wrong. Times are UK time,
// as the timeline shows them, whatever the device's own time zone.

const PARTS = ['day', 'month', 'year'];
const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', hourCycle: 'h23',
  year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
});
const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function sentence(label) {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

function listed(parts) {
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

// Today's date in the UK, as {year, month, day}.
export function ukToday(now = new Date()) {
  const parts = Object.fromEntries(LONDON.formatToParts(now).map(({ type, value }) => [type, Number(value)]));
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute };
}

function asNumber({ year, month, day }) {
  return year * 10000 + month * 100 + day;
}

export function longDate({ year, month, day }) {
  return LONG_DATE.format(new Date(Date.UTC(year, month - 1, day)));
}

// {date} when the typed parts make a date allowed here, or {problem: {message, parts}}: parts are the
// inputs to mark. earliest: the first allowed date ({year, month, day}), with the words for why. past:
// false for a date that may be still to come (an appointment, which may also be recorded afterwards).
export function readDate(label, typed, { earliest, earliestReason, past = true } = {}) {
  const values = Object.fromEntries(PARTS.map((part) => [part, String(typed[part] ?? '').trim()]));
  const missing = PARTS.filter((part) => !values[part]);
  if (missing.length === PARTS.length) return { problem: { message: `Enter ${label}`, parts: PARTS } };
  if (missing.length) {
    return { problem: { message: `${sentence(label)} must include a ${listed(missing)}`, parts: missing } };
  }
  const notNumbers = PARTS.filter((part) => !/^\d+$/.test(values[part]));
  if (notNumbers.length) return { problem: { message: `${sentence(label)} must be a real date`, parts: notNumbers } };
  if (values.year.length !== 4) return { problem: { message: 'Year must include 4 numbers', parts: ['year'] } };
  const date = { year: Number(values.year), month: Number(values.month), day: Number(values.day) };
  if (date.month < 1 || date.month > 12) {
    return { problem: { message: `${sentence(label)} must be a real date`, parts: ['month'] } };
  }
  const daysInMonth = new Date(Date.UTC(date.year, date.month, 0)).getUTCDate();
  if (date.day < 1 || date.day > daysInMonth) {
    return { problem: { message: `${sentence(label)} must be a real date`, parts: ['day'] } };
  }
  if (past && asNumber(date) > asNumber(ukToday())) {
    return { problem: { message: `${sentence(label)} must be today or in the past`, parts: PARTS } };
  }
  if (earliest && asNumber(date) < asNumber(earliest)) {
    const why = earliestReason ? ` (${earliestReason})` : '';
    return { problem: { message: `${sentence(label)} must be on or after ${longDate(earliest)}${why}`, parts: PARTS } };
  }
  return { date };
}

// {time: {hour, minute}} or {problem: {message}}: "14:30", "14.30" or "1430", 24-hour clock.
export function readTime(label, typed) {
  const value = String(typed ?? '').trim();
  if (!value) return { problem: { message: `Enter ${label}` } };
  const match = value.match(/^([01]?\d|2[0-3])[:.]?([0-5]\d)$/);
  if (!match) return { problem: { message: `${sentence(label)} must be a real time, like 14:30` } };
  return { time: { hour: Number(match[1]), minute: Number(match[2]) } };
}

// The instant a UK wall-clock date and time stand for (British Summer Time included).
export function ukInstant({ year, month, day }, { hour, minute }) {
  const asIfUtc = Date.UTC(year, month - 1, day, hour, minute);
  const offset = (instant) => {
    const shown = ukToday(new Date(instant));
    return Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute) - instant;
  };
  const first = asIfUtc - offset(asIfUtc);
  return new Date(asIfUtc - offset(first));
}
