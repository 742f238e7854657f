// The risk models' terms in the words practitioners use. The model's own term stays available (the
// "Model terms" details under each chart) for anyone checking a score against the Ministry's tools.
import { words } from './view.mjs';

const FACTORS = {
  male_age_poly: 'Age',
  female_age_poly: 'Age',
  offence_category: 'Type of current offence',
  sanction_occasions: 'Number of sanctions',
  female: 'Being a woman',
  first_sanction: 'This is their first sanction',
  second_sanction: 'This is their second sanction',
  second_sanction_years_since_first_male: 'Years between first and second sanction',
  second_sanction_years_since_first_female: 'Years between first and second sanction',
  copas_rate: 'How often they have offended over time',
  copas_rate_squared: 'How often they have offended over time (second term)',
  offence_free_months_poly: 'Time in the community without offending',
  never_violent: 'No violent sanctions',
  once_violent: 'One violent sanction',
  violent_sanctions: 'Number of violent sanctions',
  violent_rate: 'How often they have been violent over time',
  s2q2a: 'Carried or used a weapon in the current offence',
  s3q4: 'Suitability of accommodation',
  s4q2: 'Unemployed',
  s3q2_partner: 'Living with a partner',
  s6q4: 'Relationship with partner',
  s3q2_partner_x_s6q4: 'Relationship with a partner they live with',
  s6q7: 'Evidence of domestic abuse (as perpetrator)',
  s7q2: 'Regular activities that encourage offending',
  s8q8: 'Motivation to tackle drug misuse',
  s9q1: 'Current alcohol use is a problem',
  s9q2: 'Binge drinking',
  s11q2: 'Impulsivity',
  s11q4: 'Temper control',
  s12q1: 'Attitudes that support offending',
};

export function factorName(term) {
  if (term in FACTORS) return FACTORS[term];
  const [group, detail] = term.split('.');
  if (group === 'drugs') return `Misused drugs: ${words(detail).toLowerCase()}`;
  if (group === 'previous_convictions') return `Previous conviction: ${words(detail).toLowerCase()}`;
  return words(term);
}

// "Criminal damage | Other criminal damage | Other criminal damage": the offence is the last part.
export function offenceName(description, code) {
  return description ? description.split(' | ').at(-1) : code;
}
