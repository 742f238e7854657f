// Case overview: the person, convictions and sentence, registrations as flags, allocation and tier,
// risk scores with each predictor's largest contributions, the current OASys draft and the contacts.
import { ApiError } from '../api.mjs';
import {
  backLink, bandTag, formatDate, formatDateTime, html, notificationBanner, plural, render, summaryList, tierTag, words,
} from '../view.mjs';
import { staffNames, teamName, teamNames } from '../directory.mjs';
import { factorName, offenceName } from '../risk-factors.mjs';
import {
  AGREEMENT_STATUSES, CONTACT_OUTCOMES, CONTACT_TYPES, PLAN_TYPES, REQUIREMENT_TYPES, SENTENCE_TYPES,
} from '../wording.mjs';
import { appointmentType, outcomeName, timeRange } from './appointments.mjs';
import { canEnd, terminationPath, terminationReason } from './endings.mjs';
import { createPlan, planPath } from './sentence-plan.mjs';
import {
  canRequestTransfer, pendingTransferInset, rejectedTransferRow, withdrawTransfer,
} from './transfers.mjs';

const PREDICTORS = [
  ['allReoffending', 'All reoffending (ARP)'],
  ['violentReoffending', 'Violent reoffending (VRP)'],
  ['seriousViolentReoffending', 'Serious violent reoffending (SVRP)'],
];
const LARGEST = 5;

async function optional(request) {
  try {
    return (await request).data;
  } catch (error) {
    if (error instanceof ApiError && [403, 404].includes(error.status)) return null;
    throw error;
  }
}

function person(c, teams) {
  const address = c.address ? [c.address.addressLine1, c.address.addressLine2, c.address.town, c.address.postcode].filter(Boolean).join(', ') : 'Not known';
  return summaryList([
    ['Date of birth', formatDate(c.dateOfBirth)],
    ['Gender', words(c.gender)],
    ['PNC number', c.pncNumber ?? 'Not known'],
    ['CRO number', c.croNumber ?? 'Not known'],
    ['Preferred language', c.preferredLanguage ?? 'Not known'],
    ['Address', address],
    ['Phone', c.phoneNumber ?? 'Not known'],
    ['Team', teamName(teams, c.teamCode)],
  ]);
}

// How a sentence ended, or (to a manager or the case's practitioner) the way to end it.
function ending(crn, conviction, mayEnd) {
  const { termination } = conviction;
  if (termination) {
    return html`<p class="govuk-body govuk-!-font-weight-bold" id="ended-${conviction.convictionNumber}">Ended ${formatDate(termination.date)}: ${terminationReason(termination.reason)}</p>
      ${termination.notes ? html`<p class="govuk-body-s app-wrap">${termination.notes}</p>` : ''}`;
  }
  if (!mayEnd) return '';
  return html`<p class="govuk-body"><a class="govuk-link" href="#${terminationPath(crn, conviction.convictionNumber)}">End this sentence<span class="govuk-visually-hidden"> (conviction ${conviction.convictionNumber})</span></a></p>`;
}

function convictions(crn, list, mayEnd) {
  if (!list.length) return html`<p class="govuk-body">No convictions recorded.</p>`;
  return list.map((conviction) => {
    const main = conviction.offences.find((o) => o.main) ?? conviction.offences[0];
    const { sentence } = conviction;
    return html`
      <h3 class="govuk-heading-s">Conviction ${conviction.convictionNumber}: ${offenceName(main?.description, main?.offenceCode)}</h3>
      ${ending(crn, conviction, mayEnd)}
      ${summaryList([
        ['Court', conviction.court],
        ['Convicted', formatDate(conviction.convictionDate)],
        ['Offences', conviction.offences.map((o) => html`${offenceName(o.description, o.offenceCode)} (${o.offenceCode})${o.main ? ', main' : ''}<br>`)],
        ['Sentence', html`${SENTENCE_TYPES[sentence.type] ?? words(sentence.type)}, ${sentence.lengthMonths} months from ${formatDate(sentence.sentenceDate)}`],
        sentence.releaseDate ? ['Release date', formatDate(sentence.releaseDate)] : null,
        [sentence.type === 'CUSTODY' ? 'Licence ends' : 'Expected to end', formatDate(sentence.expectedEndDate)],
        sentence.requirements?.length ? ['Requirements', sentence.requirements.map((r) => html`${words(r.type)}${r.length ? `: ${r.length} ${words(r.lengthUnit).toLowerCase()}` : ''}<br>`)] : null,
      ])}`;
  });
}

function flags(registrations) {
  const active = registrations.filter((r) => r.status === 'ACTIVE');
  if (!active.length) return html`<p class="govuk-body">No active registrations.</p>`;
  return html`<ul class="govuk-list app-flags">${active.map((r) => html`
    <li><strong class="govuk-tag ${r.group === 'ROSH' || r.group === 'MAPPA' ? 'govuk-tag--red' : 'govuk-tag--grey'}">${r.description}${r.mappaLevel ? ` ${r.mappaLevel}` : ''}</strong>
      <span class="govuk-body-s"> since ${formatDate(r.registrationDate)}</span></li>`)}</ul>`;
}

function isAllocated(record) {
  return Boolean(record?.practitionerCode || record?.partnerId);
}

function allocation(record, teams, names) {
  if (!record) return html`<p class="govuk-body">Not yet tiered or queued for allocation.</p>`;
  if (record.status === 'CLOSED') {
    return html`${summaryList([
      ['Tier', tierTag(record.tier?.tier)],
      ['Allocated to', 'No one: the case is closed'],
      record.previousPractitionerCodes?.length ? ['Last held by', staffNamesOf(names, record.previousPractitionerCodes.slice(-1))] : null,
    ])}`;
  }
  const holder = record.practitionerName ?? record.practitionerCode
    ?? (record.partnerId ? `Partner provider ${record.partnerId}` : null);
  return html`${summaryList([
    ['Tier', tierTag(record.tier?.tier)],
    ['Why this tier', record.tier ? html`<ul class="govuk-list govuk-list--bullet">${record.tier.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : 'Not tiered'],
    ['Allocated to', holder ? html`${holder}, ${formatDateTime(record.allocatedAt)}` : html`Unallocated: waiting since ${formatDate(record.waitingSince)}`],
    record.justification ? ['Justification', record.justification] : null,
    rejectedTransferRow(record, teams, names),
  ])}`;
}

function staffNamesOf(names, codes) {
  return codes.map((code) => names.get(code) ?? code).join(', ');
}

// A closed case says so first: when and why its last sentence ended, and what reopens it.
function closedBanner(c, list) {
  if (c.status !== 'CLOSED') return '';
  const last = list.filter((conviction) => conviction.termination)
    .sort((a, b) => String(b.termination.date).localeCompare(String(a.termination.date))
      || String(b.termination.terminatedAt).localeCompare(String(a.termination.terminatedAt)))[0];
  return notificationBanner({
    id: 'closed',
    heading: 'This case is closed',
    body: html`${last ? html`<p class="govuk-body">The last active sentence (conviction ${last.convictionNumber}) ended on
      ${formatDate(last.termination.date)}: ${terminationReason(last.termination.reason).toLowerCase()}.</p>` : ''}
      <p class="govuk-body">The case can still be read, and every read is recorded. Nothing new can be arranged on it: a new conviction reopens it.</p>`,
  });
}

function contributionChart(label, score) {
  const largest = Object.entries(score.contributions)
    .filter(([name]) => name !== 'intercept')
    .sort(([, a], [, b]) => Math.abs(b) - Math.abs(a))
    .slice(0, LARGEST);
  const scale = Math.max(...largest.map(([, value]) => Math.abs(value)), 1e-9);
  return html`
    <table class="govuk-table app-chart">
      <caption class="govuk-table__caption govuk-table__caption--s">${label}: largest contributions</caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">
        <th scope="col" class="govuk-table__header">Factor</th>
        <th scope="col" class="govuk-table__header govuk-table__header--numeric">Contribution</th>
      </tr></thead>
      <tbody class="govuk-table__body">${largest.map(([name, value]) => html`
        <tr class="govuk-table__row">
          <th scope="row" class="govuk-table__header app-chart__label">${factorName(name)}</th>
          <td class="govuk-table__cell app-chart__cell">
            <span class="app-chart__bar ${value < 0 ? 'app-chart__bar--lowers' : 'app-chart__bar--raises'}"
                  data-share="${Math.round((Math.abs(value) / scale) * 100)}" aria-hidden="true"></span>
            <span class="app-chart__value">${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}
              <span class="govuk-visually-hidden">${value < 0 ? '(lowers the score)' : '(raises the score)'}</span></span>
          </td>
        </tr>`)}
      </tbody>
    </table>
    <details class="govuk-details">
      <summary class="govuk-details__summary"><span class="govuk-details__summary-text">Model terms for these factors</span></summary>
      <div class="govuk-details__text">${summaryList(largest.map(([name]) => [factorName(name), html`<code>${name}</code>`]))}</div>
    </details>`;
}

function risk(history) {
  const latest = history?.latest;
  if (!latest) return html`<p class="govuk-body">No risk scores yet.</p>`;
  const { result } = latest;
  const used = (predictor) => predictor?.dynamic ?? predictor?.static;
  return html`
    <p class="govuk-body">Calculated ${formatDateTime(latest.calculatedAt)} (model ${latest.modelVersion}).</p>
    <table class="govuk-table">
      <caption class="govuk-table__caption govuk-visually-hidden">Risk scores</caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">
        <th scope="col" class="govuk-table__header">Predictor</th>
        <th scope="col" class="govuk-table__header govuk-table__header--numeric">Score</th>
        <th scope="col" class="govuk-table__header">Band</th>
      </tr></thead>
      <tbody class="govuk-table__body">
        <tr class="govuk-table__row"><th scope="row" class="govuk-table__header">Combined serious reoffending (RSR), ${words(result.rsr.type)}</th>
          <td class="govuk-table__cell govuk-table__cell--numeric">${result.rsr.score}%</td><td class="govuk-table__cell">${bandTag(result.rsr.band)}</td></tr>
        ${PREDICTORS.map(([key, label]) => {
          const score = used(result[key]);
          return score ? html`<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">${label}, ${result[key].dynamic ? 'dynamic' : 'static'}</th>
            <td class="govuk-table__cell govuk-table__cell--numeric">${score.score}%</td><td class="govuk-table__cell">${bandTag(score.band)}</td></tr>` : '';
        })}
      </tbody>
    </table>
    <h3 class="govuk-heading-s">Screening</h3>
    ${screening(latest.screening)}
    ${PREDICTORS.map(([key, label]) => (used(result[key]) ? contributionChart(label, used(result[key])) : ''))}`;
}

const PATHWAYS = {
  HIGH: 'High intensity programme',
  MODERATE: 'Moderate intensity programme',
  ALTERNATIVE: 'Alternative to an accredited programme',
  OMISSION: 'Not decided: answers are missing',
};

// The screening tools' results beside the scores; a null result means the tool lacked answers.
function screening(summary) {
  if (!summary) return html`<p class="govuk-body">Not screened with these scores.</p>`;
  const { mst, lds, opd, pni } = summary;
  const lacking = 'Not enough answers';
  const maturity = !mst.isMstApplicable
    ? 'Not applicable'
    : mst.maturityScore === null
      ? lacking
      : `Score ${mst.maturityScore}: ${mst.maturityFlag ? 'maturity needs flagged' : 'not flagged'}`;
  // opdCheck says whether the screening was carried out at all (SCREENING.md 4.8).
  const personality = !opd.opdCheck
    ? lacking
    : `${opd.opdResult === 'SCREEN_IN' ? 'Screened in' : 'Screened out'}${opd.opdOverride ? ', override requested' : ''}`;
  return summaryList([
    ['Maturity (MST)', maturity],
    ['Learning disability (LDS)', lds.ldsScore === null ? lacking : `Score ${lds.ldsScore}`],
    ['Personality disorder pathway (OPD)', personality],
    ['Programme needs (PNI)', PATHWAYS[pni.pniPathway] ?? words(pni.pniPathway)],
  ]);
}

// The open draft in a sentence or two, from the case's list of assessments: the answers themselves (and
// the question catalogue to show them) are loaded only when the assessment is opened.
function draft(crn, assessments) {
  const open = assessments?.items.find((a) => a.status === 'DRAFT');
  if (!open) return html`<p class="govuk-body">No assessment in progress.</p>`;
  const { summary } = open;
  return html`
    <p class="govuk-body">Started ${formatDateTime(open.createdAt)}. ${plural(summary.prefilled, 'answer')} filled in from
      what the service already holds, ${summary.confirmed} of them confirmed.</p>
    <p class="govuk-body"><a class="govuk-link" href="#/cases/${crn}/assessment">Continue the assessment</a></p>`;
}

function latestCompleted(assessments) {
  return (assessments?.items ?? []).filter((a) => a.status === 'COMPLETED')
    .sort((a, b) => String(b.completedAt).localeCompare(String(a.completedAt)))[0];
}

// Who is at risk of serious harm, from the latest completed assessment's RoSH summary.
function riskOfSeriousHarm(assessments) {
  const completed = latestCompleted(assessments);
  if (!completed?.roshSummary?.length) return '';
  return html`
    <table class="govuk-table">
      <caption class="govuk-table__caption govuk-table__caption--m">Risk of serious harm
        <span class="govuk-caption-s">From the assessment completed ${formatDate(completed.completedAt)}</span></caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">
        <th scope="col" class="govuk-table__header">Who is at risk</th>
        <th scope="col" class="govuk-table__header">In the community</th>
        <th scope="col" class="govuk-table__header">In custody</th>
      </tr></thead>
      <tbody class="govuk-table__body">${completed.roshSummary.map((risk) => html`
        <tr class="govuk-table__row">
          <th scope="row" class="govuk-table__header">${risk.group}</th>
          <td class="govuk-table__cell">${risk.community ? bandTag(risk.community) : 'Not assessed'}</td>
          <td class="govuk-table__cell">${risk.custody ? bandTag(risk.custody) : 'Not assessed'}</td>
        </tr>`)}
      </tbody>
    </table>`;
}

// The case's open sentence plan in a sentence; with none, what a plan starts from and whether the case has it.
// plans is null where the viewer may not read plans (an admin), and then nothing is said.
function sentencePlan({ crn, name, plans, openPlan, assessments, closed }) {
  if (!plans) return '';
  const heading = html`<h2 class="govuk-heading-m" id="sentence-plan">Sentence plan</h2>`;
  if (openPlan) {
    const waiting = openPlan.countersigningStatus === 'AWAITING_COUNTERSIGN' ? ', waiting for a countersignature' : '';
    return html`${heading}<p class="govuk-body" id="sentence-plan-state">Version ${openPlan.planVersion}
      (${PLAN_TYPES[openPlan.type].toLowerCase()}): ${AGREEMENT_STATUSES[openPlan.agreementStatus].toLowerCase()}${waiting},
      ${plural(openPlan.goals, 'goal')}.${openPlan.reviewDue ? ` Review due ${formatDate(openPlan.reviewDue)}.` : ''}</p>`;
  }
  const last = plans.items[0]; // newest first: with none open, the last one ended
  const ended = last ? html`<p class="govuk-body"><a class="govuk-link" href="#${planPath(crn, last.id)}">The last plan</a>
    ended on ${formatDate(last.updatedAt)}. It can still be read.</p>` : '';
  const completed = latestCompleted(assessments);
  const draftOpen = assessments?.items.some((a) => a.status === 'DRAFT');
  let state;
  if (closed) state = 'No open sentence plan: the case is closed.';
  else if (completed) state = `No sentence plan yet. One can be made from the OASys assessment completed ${formatDate(completed.completedAt)}: it ranks the areas of need, for goals and steps to agree with ${name}.`;
  else if (draftOpen) state = html`No sentence plan yet. A plan starts from a completed OASys assessment: <a class="govuk-link" href="#/cases/${crn}/assessment">complete the assessment in progress</a> first.`;
  else state = html`No sentence plan yet. A plan starts from a completed OASys assessment, and ${name} has none: <a class="govuk-link" href="#/cases/${crn}/assessment">start one</a> and complete it first.`;
  return html`${heading}<p class="govuk-body" id="sentence-plan-state">${state}</p>${ended}`;
}

// The last few contacts, near the top where a phone shows them first; the whole timeline is further down.
const LATEST = 3;

function latestContacts(list) {
  if (!list.length) return '';
  return html`
    <h2 class="govuk-heading-m">Latest contacts</h2>
    <ul class="govuk-list">${list.slice(0, LATEST).map((contact) => html`
      <li>${formatDateTime(contact.contactDate)}: ${CONTACT_TYPES[contact.type] ?? words(contact.type)}${contact.outcome ? html`, ${(CONTACT_OUTCOMES[contact.outcome] ?? words(contact.outcome)).toLowerCase()}` : ''}</li>`)}
    </ul>
    ${list.length > LATEST ? html`<p class="govuk-body"><a class="govuk-link" href="#contacts" data-jump="contacts">All ${list.length} contacts</a></p>` : ''}`;
}

// An appointment that has started without an outcome offers its outcome to record, on the timeline itself.
function outcomeAction(crn, contact) {
  if (contact.appointmentStatus !== 'SCHEDULED' || new Date(contact.contactDate) > new Date()) return '';
  return html`<p class="govuk-body-s"><a class="govuk-link" href="#/cases/${crn}/appointments/${contact.contactId}/outcome">Record outcome<span class="govuk-visually-hidden"> of the ${formatDateTime(contact.contactDate)} appointment</span></a></p>`;
}

function contactOutcome(contact) {
  if (contact.outcomeCode) return outcomeName(contact.outcomeCode);
  return contact.outcome ? CONTACT_OUTCOMES[contact.outcome] ?? words(contact.outcome) : '';
}

function contacts(crn, list) {
  if (!list.length) return html`<p class="govuk-body">No contacts recorded.</p>`;
  return html`<ol class="app-timeline">${list.map((contact) => html`
    <li class="app-timeline__item">
      <h3 class="govuk-heading-s app-timeline__title">${CONTACT_TYPES[contact.type] ?? words(contact.type)}${contactOutcome(contact) ? html`: ${contactOutcome(contact)}` : ''}${contact.appointmentStatus === 'SCHEDULED' ? html` <strong class="govuk-tag govuk-tag--grey">Appointment</strong>` : ''}${contact.sensitive ? html` <strong class="govuk-tag govuk-tag--red">Sensitive</strong>` : ''}</h3>
      <p class="govuk-body-s app-timeline__meta">${formatDateTime(contact.contactDate)} · recorded by ${contact.authorName ?? contact.author}${contact.source === 'PARTNER' ? ' (partner provider)' : ''}</p>
      ${contact.notes ? html`<p class="govuk-body app-timeline__notes">${contact.notes}</p>` : ''}
      ${outcomeAction(crn, contact)}
    </li>`)}</ol>`;
}

// The statutory count as the API words it: a banner a practitioner cannot miss when action is due, an
// inset otherwise.
const ACTION_DUE = ['Breach action required', 'Recall consideration required'];

function complianceBanner(compliance) {
  if (!compliance) return '';
  const { counts } = compliance;
  const body = html`<p class="govuk-body">${plural(counts.attendedComplied, 'appointment')} attended and complied,
    ${plural(counts.acceptableAbsences, 'acceptable absence')}, ${plural(counts.unacceptableAbsences + counts.attendedFailedToComply, 'unacceptable failure')},
    ${counts.awaitingEvidence} awaiting evidence, ${plural(counts.outcomeNotRecorded, 'outcome')} not recorded.</p>
    ${compliance.activeBreach ? html`<p class="govuk-body">Started ${formatDate(compliance.activeBreach.startedOn)}${compliance.activeBreach.reason ? `: ${compliance.activeBreach.reason}` : ''}.</p>` : ''}
    ${compliance.warnings.length ? html`<p class="govuk-body">${plural(compliance.warnings.length, 'warning')} in force, the latest until ${formatDate(compliance.warnings.map((w) => w.inForceUntil).sort().at(-1))}.</p>` : ''}`;
  const urgent = ACTION_DUE.includes(compliance.status) || Boolean(compliance.activeBreach);
  return html`
    <div class="govuk-notification-banner app-compliance${urgent ? ' app-compliance--action' : ''}" role="region"
         aria-labelledby="compliance-title" data-module="govuk-notification-banner" id="compliance">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="compliance-title">Compliance</h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading" id="compliance-status">${compliance.status}</p>
        ${body}
      </div>
    </div>`;
}

function nextAppointments(crn, list) {
  const head = html`<h2 class="govuk-heading-m">Next appointments</h2>`;
  if (!list?.length) return html`${head}<p class="govuk-body" id="next-appointments">No appointments arranged.</p>`;
  return html`${head}<ul class="govuk-list" id="next-appointments">${list.slice(0, LATEST).map((a) => html`
    <li>${formatDate(a.start.slice(0, 10))}, ${timeRange(a)}: ${appointmentType(a.type)}${a.location ? `, ${a.location}` : ''}</li>`)}
  </ul>`;
}

function hours(minutes) {
  const whole = Math.floor(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  return `${minutes < 0 ? '−' : ''}${plural(whole, 'hour')}${rest ? ` ${plural(rest, 'minute')}` : ''}`;
}

// Progress on each requirement of the current sentence: hours of unpaid work done out of those ordered, RAR
// days completed out of those required, programme sessions attended.
function progress(crn, requirements, convictionsList, mayEnd) {
  if (!requirements?.length) return '';
  // Each requirement's own ending (or its sentence's), and otherwise the way to end it.
  const endingOf = (r) => {
    const conviction = convictionsList.find((c) => c.convictionNumber === Number(r.id.split('-')[0]));
    const ended = conviction?.termination ?? conviction?.requirementTerminations?.[r.id];
    if (ended) return html`<br><span class="govuk-body-s">Ended ${formatDate(ended.date)}: ${terminationReason(ended.reason).toLowerCase()}</span>`;
    if (!mayEnd || !conviction) return '';
    return html`<br><a class="govuk-link govuk-body-s" href="#/cases/${crn}/requirements/${r.id}/termination">End this requirement<span class="govuk-visually-hidden"> (${REQUIREMENT_TYPES[r.type] ?? words(r.type)})</span></a>`;
  };
  const details = (r) => {
    const p = r.progress ?? {};
    const name = REQUIREMENT_TYPES[r.type] ?? words(r.type);
    if (r.type === 'UNPAID_WORK' && 'requiredMinutes' in p) {
      const required = p.requiredMinutes + p.adjustmentMinutes;
      return [name, html`${hours(p.creditedMinutes)} done out of ${hours(required)}${p.adjustmentMinutes ? ` (${hours(p.adjustmentMinutes)} adjusted)` : ''}<br>
        <span class="govuk-body-s">${p.remainingMinutes <= 0 ? 'Complete' : `${hours(p.remainingMinutes)} left`}</span>`];
    }
    if (r.type === 'REHABILITATION_ACTIVITY' && 'requiredDays' in p) {
      return [name, html`${p.completedDays} of ${plural(p.requiredDays, 'day')} completed<br>
        <span class="govuk-body-s">${plural(p.scheduledDays, 'day')} arranged</span>`];
    }
    if ('sessionsAttended' in p) {
      return [name, p.sessionsRequired ? `${p.sessionsAttended} of ${plural(p.sessionsRequired, 'session')} attended` : `${plural(p.sessionsAttended, 'session')} attended`];
    }
    return [name, words(r.status)];
  };
  const row = (r) => {
    const [name, value] = details(r);
    return [name, html`${value}${endingOf(r)}`];
  };
  return html`<h2 class="govuk-heading-m">Requirements</h2><div id="requirements">${summaryList(requirements.map(row))}</div>`;
}

export async function caseScreen(context, crn) {
  const { api, main, session } = context;
  const [{ data: overview }, riskHistory, allocationRecord, assessments, teams, requirements, plans] = await Promise.all([
    api(`/cases/${crn}/overview`),
    optional(api(`/cases/${crn}/risk?limit=1`)),  // the latest is all this page shows
    optional(api(`/cases/${crn}/allocation`)),
    optional(api(`/cases/${crn}/assessments`)),
    teamNames(api),
    optional(api(`/cases/${crn}/requirements`)),
    optional(api(`/cases/${crn}/sentence-plans`)),
  ]);
  const c = overview.case;
  const name = `${c.firstName} ${c.lastName}`;
  context.title(`${name} (${crn})`);
  render(context.beforeContent, backLink(`#${context.listPath()}`));
  const notice = context.takeFlash();
  const manager = session.roles.includes('manager');
  const closed = c.status === 'CLOSED' || allocationRecord?.status === 'CLOSED';
  const mayEnd = !closed && canEnd(session, allocationRecord);
  const transfer = allocationRecord?.pendingTransfer;
  const lastTransfer = allocationRecord?.transfers?.at(-1);
  // Names asked for only where a transfer or a closed case shows staff the allocation does not name.
  const names = await staffNames(api, [
    transfer?.requestedBy, lastTransfer?.status === 'REJECTED' ? lastTransfer.decidedBy : null,
    ...(closed ? (allocationRecord?.previousPractitionerCodes ?? []).slice(-1) : []),
  ]);
  if (allocationRecord?.practitionerName) names.set(allocationRecord.practitionerCode, allocationRecord.practitionerName);
  // What the API refuses on a closed case is not offered: arranging, allocating, transferring, ending.
  const supervised = overview.compliance && !closed;
  const mayTransfer = !closed && allocationRecord && !transfer && canRequestTransfer(session, allocationRecord);
  const openPlan = plans?.items.find((plan) => plan.status === 'ACTIVE');
  const mayCreatePlan = plans && !openPlan && !closed && latestCompleted(assessments);
  render(main, html`
    <div id="errors"></div>
    ${notice?.success ? notificationBanner({ title: 'Success', heading: notice.success, success: true }) : ''}
    ${closedBanner(c, overview.convictions)}
    <span class="govuk-caption-l">CRN ${crn}</span>
    <h1 class="govuk-heading-l">${name}${closed ? html` <strong class="govuk-tag govuk-tag--grey app-heading-tag">Closed</strong>` : ''}</h1>
    ${flags(overview.registrations)}
    ${closed ? '' : complianceBanner(overview.compliance)}
    ${pendingTransferInset({ allocation: allocationRecord, teams, names, session, name })}
    <div class="govuk-button-group">
      ${supervised ? html`<a href="#/cases/${crn}/appointments/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button">Arrange an appointment</a>` : ''}
      <a href="#/cases/${crn}/contact" role="button" draggable="false" class="govuk-button${supervised ? ' govuk-button--secondary' : ''}" data-module="govuk-button">Record a contact</a>
      ${assessments ? html`<a href="#/cases/${crn}/assessment" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">OASys assessment</a>` : ''}
      ${openPlan ? html`<a href="#${planPath(crn, openPlan.id)}" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">Sentence plan</a>` : ''}
      ${mayCreatePlan ? html`<button type="button" class="govuk-button govuk-button--secondary" data-module="govuk-button" id="create-plan">Create sentence plan</button>` : ''}
      ${manager && !closed ? html`<a href="#/cases/${crn}/allocation" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">${isAllocated(allocationRecord) ? 'Reallocate' : 'Allocate'}</a>` : ''}
      ${mayTransfer ? html`<a href="#/cases/${crn}/transfer" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">Transfer to another team</a>` : ''}
    </div>
    ${supervised ? nextAppointments(crn, overview.nextAppointments) : ''}
    ${progress(crn, requirements?.items, overview.convictions, mayEnd)}
    ${latestContacts(overview.contacts)}
    ${riskOfSeriousHarm(assessments)}
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-one-half">
        <h2 class="govuk-heading-m">Person</h2>
        ${person(c, teams)}
        <h2 class="govuk-heading-m">Convictions and sentence</h2>
        ${convictions(crn, overview.convictions, mayEnd)}
        <h2 class="govuk-heading-m">Allocation and tier</h2>
        ${allocation(allocationRecord, teams, names)}
      </div>
      <div class="govuk-grid-column-one-half">
        <h2 class="govuk-heading-m">Risk scores</h2>
        ${risk(riskHistory)}
      </div>
    </div>
    ${assessments ? html`<h2 class="govuk-heading-m">Current OASys assessment</h2>${draft(crn, assessments)}` : ''}
    ${sentencePlan({ crn, name, plans, openPlan, assessments, closed })}
    <h2 class="govuk-heading-m" id="contacts" tabindex="-1">Contacts</h2>
    ${contacts(crn, overview.contacts)}`);
  // One Idempotency-Key for this page: a second press makes no second plan.
  const planKey = crypto.randomUUID();
  main.querySelector('#create-plan')?.addEventListener('click', () => createPlan(context, { crn, name, idempotencyKey: planKey }));
  main.querySelector('#withdraw-transfer')?.addEventListener('click', () => withdrawTransfer(context, crn, transfer.id, teams, transfer));
  // Set through the DOM: the Content-Security-Policy allows no inline style attributes.
  main.querySelectorAll('[data-share]').forEach((bar) => { bar.style.width = `${bar.dataset.share}%`; });
  // In-page links: the address's fragment is the router's, so the jump is made here.
  main.querySelectorAll('[data-jump]').forEach((link) => link.addEventListener('click', (event) => {
    event.preventDefault();
    const target = main.querySelector(`#${link.dataset.jump}`);
    target.scrollIntoView();
    target.focus({ preventScroll: true });
  }));
  context.ready();
}
