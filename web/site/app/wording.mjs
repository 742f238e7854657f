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
