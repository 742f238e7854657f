// Names for the codes the API gives: the teams, read once per tab (they seldom change, and every screen
// that shows a team would otherwise ask again).

const TEAMS = 'probation.team-names';

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
