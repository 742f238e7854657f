// One wording for each code people read, used wherever it is shown (the form and the timeline alike).

export const CONTACT_TYPES = {
  OFFICE_APPOINTMENT: 'Office appointment', HOME_VISIT: 'Home visit', VIDEO_APPOINTMENT: 'Video appointment',
  PHONE_CALL: 'Phone call', EMAIL: 'Email', UNPAID_WORK_SESSION: 'Unpaid work session',
  PROGRAMME_SESSION: 'Programme session', CASE_NOTE: 'Case note',
};

export const CONTACT_OUTCOMES = {
  ATTENDED_COMPLIED: 'Attended and complied',
  ATTENDED_FAILED_TO_COMPLY: 'Attended but failed to comply',
  FAILED_TO_ATTEND_ACCEPTABLE: 'Failed to attend: acceptable absence',
  FAILED_TO_ATTEND_UNACCEPTABLE: 'Failed to attend: unacceptable absence',
  RESCHEDULED: 'Rescheduled',
};

export const SENTENCE_TYPES = {
  COMMUNITY: 'Community order',
  SUSPENDED: 'Suspended sentence order',
  CUSTODY: 'Custodial sentence',
};

// Appointments: the contact types that are appointments (the API's appointmentTypes reference data).
export const APPOINTMENT_TYPES = {
  OFFICE_APPOINTMENT: 'Office appointment', HOME_VISIT: 'Home visit', VIDEO_APPOINTMENT: 'Video appointment',
  PHONE_CALL: 'Phone call', UNPAID_WORK_SESSION: 'Unpaid work session', PROGRAMME_SESSION: 'Programme session',
};

// nDelius's outcome codes (the API's reference data, outcomes_v1.json), in words, grouped as a
// practitioner chooses them.
export const OUTCOME_CODES = {
  ATTC: 'Attended and complied',
  AFTC: 'Attended but failed to comply',
  ATSH: 'Attended but sent home (behaviour)',
  UAAB: 'Unacceptable absence',
  AFTA: 'Failed to attend: evidence pending',
  AACL: 'Acceptable absence: court or legal',
  AAEM: 'Acceptable absence: employment',
  AAFC: 'Acceptable absence: family or childcare',
  AAHO: 'Acceptable absence: holiday',
  AAME: 'Acceptable absence: medical',
  AARE: 'Acceptable absence: religious',
  AARC: 'Acceptable absence: remanded in custody',
};

// Unacceptable failures (the statutory count) and the outcome awaiting evidence: the outcomes an
// enforcement action goes with, and the actions each fits (the reference data's "fits").
export const UNACCEPTABLE_OUTCOMES = ['AFTC', 'ATSH', 'UAAB'];
export const AWAITING_EVIDENCE = 'AFTA';
export const ENFORCEMENT_FITS = {
  WARNING_LETTER: ['UNACCEPTABLE', 'AFTA'],
  BREACH_OR_RECALL_INITIATED: ['UNACCEPTABLE'],
  REFER_TO_OFFENDER_MANAGER: ['UNACCEPTABLE', 'AFTA'],
  NO_FURTHER_ACTION: ['UNACCEPTABLE'],
  DECISION_PENDING_RESPONSE: ['UNACCEPTABLE', 'AFTA'],
};

// One action, two names: a community or suspended sentence order is breached, a licence (or post-sentence
// supervision) is recalled.
export function enforcementActionName(action, { licence = false } = {}) {
  const names = {
    WARNING_LETTER: 'Warning letter',
    BREACH_OR_RECALL_INITIATED: licence ? 'Recall initiated' : 'Breach action initiated',
    REFER_TO_OFFENDER_MANAGER: 'Refer to offender manager',
    NO_FURTHER_ACTION: 'No further action',
    DECISION_PENDING_RESPONSE: 'Decision pending a response from the person on probation',
  };
  return names[action] ?? action;
}

export const APPOINTMENT_STATUSES = {
  SCHEDULED: 'Scheduled', COMPLETED: 'Outcome recorded', RESCHEDULED: 'Rescheduled', CANCELLED: 'Cancelled',
};

export const REPEAT_INTERVALS = { WEEK: 'Every week', FORTNIGHT: 'Every 2 weeks', FOUR_WEEKS: 'Every 4 weeks' };

export const REQUIREMENT_TYPES = {
  UNPAID_WORK: 'Unpaid work', REHABILITATION_ACTIVITY: 'Rehabilitation activity requirement (RAR)',
  ACCREDITED_PROGRAMME: 'Accredited programme',
};

// Why a sentence ended (the API's termination reasons), and a requirement.
export const TERMINATION_REASONS = {
  COMPLETED: 'Completed',
  REVOKED_ON_BREACH: 'Revoked after breach',
  REVOKED_OTHER: 'Revoked for another reason',
  DECEASED: 'Person has died',
  TRANSFERRED_OUT_OF_JURISDICTION: 'Transferred out of the jurisdiction',
  OTHER: 'Other',
};

export const REQUIREMENT_TERMINATION_REASONS = { COMPLETED: 'Completed', REVOKED: 'Revoked' };

export const TRANSFER_STATUSES = {
  PENDING: 'Waiting for the receiving team', ACCEPTED: 'Accepted', REJECTED: 'Rejected', WITHDRAWN: 'Withdrawn',
};

// Sentence plans: the API's codes (hmpps-sentence-plan's) in words.
export const PLAN_TYPES = {
  INITIAL: 'First plan', REVIEW: 'Review', TERMINATE: 'End of the plan', TRANSFER: 'Transfer',
};

export const AGREEMENT_STATUSES = {
  DRAFT: 'Not agreed yet', AGREED: 'Agreed', DO_NOT_AGREE: 'Did not agree', COULD_NOT_ANSWER: 'Could not answer',
};

export const COUNTERSIGNING_STATUSES = {
  UNSIGNED: 'Not signed yet', SELF_SIGNED: 'Signed by its author', AWAITING_COUNTERSIGN: 'Waiting for a countersignature',
  COUNTERSIGNED: 'Countersigned', REJECTED: 'Sent back by the countersigner',
};

export const GOAL_STATUSES = {
  ACTIVE: 'Working on it now', FUTURE: 'Future goal', ACHIEVED: 'Achieved', REMOVED: 'Removed',
};

export const STEP_ACTORS = {
  PERSON_ON_PROBATION: 'The person on probation',
  PROBATION_PRACTITIONER: 'Probation practitioner',
  PROGRAMME_STAFF: 'Programme staff',
  PARTNERSHIP_AGENCY: 'Partnership agency',
  CRS_PROVIDER: 'Commissioned rehabilitative services (CRS) provider',
  SOMEONE_ELSE: 'Someone else',
};

export const STEP_STATUSES = {
  NOT_STARTED: 'Not started', IN_PROGRESS: 'In progress', COMPLETED: 'Completed',
  CANNOT_BE_DONE_YET: 'Cannot be done yet', NO_LONGER_NEEDED: 'No longer needed',
};
