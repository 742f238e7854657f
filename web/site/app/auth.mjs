// Who is signed in. Locally the runner issues tokens (/local/token); in AWS, Cognito's hosted UI with
// the authorization code flow and PKCE. The token lives for this browser tab only (sessionStorage).

const SESSION = 'probation.session';
const PKCE = 'probation.pkce';

export function currentSession() {
  const stored = sessionStorage.getItem(SESSION);
  if (!stored) return null;
  const session = JSON.parse(stored);
  if (session.expiresAt <= Date.now()) {
    sessionStorage.removeItem(SESSION);
    return null;
  }
  return session;
}

function claimsOf(token) {
  const payload = token.split('.')[1].replaceAll('-', '+').replaceAll('_', '/');
  return JSON.parse(atob(payload));
}

function remember(token, name) {
  const claims = claimsOf(token);
  const session = {
    token,
    // The staff code is the user name staff sign in with; their groups are their roles (the local
    // issuer's tokens have Cognito's claims).
    staffCode: claims.username,
    name: name ?? claims.username,
    roles: claims['cognito:groups'] ?? [],
    expiresAt: claims.exp * 1000,
  };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return session;
}

export async function signInLocally(config, { sub, roles, name }) {
  const response = await fetch(`${config.apiBaseUrl}/local/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub, roles }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail ?? 'The token request was refused.');
  return remember(body.access_token, name);
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function redirectUri() {
  return `${window.location.origin}/`;
}

export async function beginCognitoSignIn(config) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state }));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.auth.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  window.location.assign(`${config.auth.domain}/oauth2/authorize?${query}`);
}

// Back from the hosted UI with ?code=...&state=...: exchange the code for tokens, once.
export async function completeCognitoSignIn(config) {
  const query = new URLSearchParams(window.location.search);
  const pending = JSON.parse(sessionStorage.getItem(PKCE) ?? 'null');
  if (!query.has('code') || !pending) return null;
  sessionStorage.removeItem(PKCE);
  window.history.replaceState(null, '', '/');
  if (query.get('state') !== pending.state) throw new Error('The sign-in response did not match its request.');
  const response = await fetch(`${config.auth.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.auth.clientId,
      code: query.get('code'),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  const tokens = await response.json();
  if (!response.ok) throw new Error(tokens.error_description ?? tokens.error ?? 'Signing in failed.');
  return remember(tokens.access_token);
}

export function signOut(config) {
  sessionStorage.removeItem(SESSION);
  if (config.auth.mode === 'cognito') {
    const query = new URLSearchParams({ client_id: config.auth.clientId, logout_uri: redirectUri() });
    window.location.assign(`${config.auth.domain}/logout?${query}`);
  }
}
