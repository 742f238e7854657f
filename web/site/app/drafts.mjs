// Drafts belong to the person who typed them. Each is kept in this browser under its author's staff code
// from their first keystroke, and every draft of theirs is removed when they sign out: a shared browser
// never offers one person's notes to the next.

const PREFIX = 'probation.draft.';
// Drafts kept before they had an author: whoever typed them is unknown, so no one may have them.
const UNOWNED = 'probation.contact-draft.';

const owner = (session) => `${PREFIX}${encodeURIComponent(session.staffCode)}.`;
const keyOf = (session, kind, id) => `${owner(session)}${kind}.${id}`;

export function loadDraft(session, kind, id) {
  return JSON.parse(localStorage.getItem(keyOf(session, kind, id)) ?? 'null');
}

export function saveDraft(session, kind, id, draft) {
  localStorage.setItem(keyOf(session, kind, id), JSON.stringify({ ...draft, savedAt: new Date().toISOString() }));
}

export function discardDraft(session, kind, id) {
  localStorage.removeItem(keyOf(session, kind, id));
}

function removeWhere(matches) {
  const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i));
  keys.filter((key) => key && matches(key)).forEach((key) => localStorage.removeItem(key));
}

export function discardDraftsOf(session) {
  removeWhere((key) => key.startsWith(owner(session)));
}

export function discardUnownedDrafts() {
  removeWhere((key) => key.startsWith(UNOWNED));
}
