// Names for the codes the API gives: the teams, read once per tab (they seldom change, and every screen
// that shows a team would otherwise ask again), and staff, read as they are met.

const TEAMS = 'probation.team-names';
const STAFF = 'probation.staff-names';

export async function teamNames(api) {
  const kept = sessionStorage.getItem(TEAMS);
  if (kept) return new Map(JSON.parse(kept));
  const { data } = await api('/allocation/teams');
  const names = data.items.map((team) => [team.code, team.name]);
  sessionStorage.setItem(TEAMS, JSON.stringify(names));
  return new Map(names);
}

export function teamName(names, code) {
  return names.get(code) ?? code;
}

// The names of the staff with these codes (practitioners; anyone else keeps their code), each asked for
// once per tab.
export async function staffNames(api, codes) {
  const names = new Map(JSON.parse(sessionStorage.getItem(STAFF) ?? '[]'));
  const missing = [...new Set(codes.filter(Boolean))].filter((code) => !names.has(code));
  const found = await Promise.all(missing.map((code) => api(`/allocation/practitioners/${encodeURIComponent(code)}`)
    .then(({ data }) => [code, data.name], () => [code, null])));
  found.forEach(([code, name]) => names.set(code, name));
  if (missing.length) sessionStorage.setItem(STAFF, JSON.stringify([...names]));
  return names;
}

export function staffName(names, code) {
  return names.get(code) ?? code;
}
