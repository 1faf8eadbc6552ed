// Signing in. With a password (pages/sign-in.js); locally, with a link `roster console` prints,
// whose fragment holds a one-time code traded at once for a session token; and, where one is set
// up, with the identity provider's OpenID Connect authorization code flow with PKCE. Every way
// ends in a Roster session token, which lives in this tab's sessionStorage only: never in a URL
// after sign-in, never in localStorage or a cookie.

const SESSION = 'roster.session';
const PKCE = 'roster.pkce';
const CALLBACK = '/console/callback';

export class SignInNeeded extends Error {}

export const session = {
  token: () => sessionStorage.getItem(SESSION),
  /** The token's claims (sub = the user's id, account_id, exp). */
  claims() {
    const token = this.token();
    if (!token) return null;
    try {
      const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(payload));
    } catch {
      return null;
    }
  },
  live() {
    const claims = this.claims();
    return Boolean(claims?.sub && claims.account_id && (!claims.exp || claims.exp * 1000 > Date.now()));
  },
  set: (token) => sessionStorage.setItem(SESSION, token),
  clear: () => sessionStorage.removeItem(SESSION),
};

/** Signs in from a link or the identity provider's answer, or keeps a live session; throws
 * SignInNeeded (the sign-in page follows) when there is none. */
export async function signIn(config) {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has('sign-in')) {
    // Out of the address bar and history before anything else happens.
    history.replaceState(null, '', location.pathname + location.search);
    return redeemLink(fragment.get('sign-in'));
  }
  const oidc = config.sign_in.oidc;
  if (oidc && location.pathname === CALLBACK) return finishOidc(oidc);
  if (session.live()) return;
  session.clear();
  throw new SignInNeeded('');
}

/** The token and login a set-password link carries in its fragment, taken out of the address
 * bar and history before anything else happens. */
export function takeResetLink() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  history.replaceState(null, '', location.pathname + location.search);
  return { token: fragment.get('token'), login: fragment.get('login') };
}

async function redeemLink(code) {
  const response = await fetch('/console/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.token) {
    throw new SignInNeeded(body.detail || `The sign-in link was refused (HTTP ${response.status}).`);
  }
  session.set(body.token);
}

const base64url = (bytes) => btoa(String.fromCharCode(...bytes))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (size) => base64url(crypto.getRandomValues(new Uint8Array(size)));

export async function startOidc(config) {
  const verifier = random(48);
  const state = random(16);
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, back: location.pathname + location.search }));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const url = new URL(config.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.client_id,
    redirect_uri: location.origin + CALLBACK,
    scope: config.scope,
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  });
  location.assign(url);
  // The page is leaving; nothing after this should run.
  return new Promise(() => {});
}

async function finishOidc(config) {
  const answer = new URLSearchParams(location.search);
  const started = JSON.parse(sessionStorage.getItem(PKCE) || 'null');
  sessionStorage.removeItem(PKCE);
  // The one-time code leaves the address bar at once.
  history.replaceState(null, '', '/console/');
  if (answer.has('error')) {
    throw new SignInNeeded(`The identity provider refused the sign-in: ${answer.get('error_description') || answer.get('error')}.`);
  }
  if (!started || answer.get('state') !== started.state || !answer.get('code')) {
    throw new SignInNeeded('This sign-in answer is not for a sign-in this tab started. Sign in again.');
  }
  const response = await fetch(config.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: answer.get('code'),
      redirect_uri: location.origin + CALLBACK,
      client_id: config.client_id,
      code_verifier: started.verifier,
    }),
  });
  const tokens = await response.json().catch(() => ({}));
  const token = tokens[config.token];
  if (!response.ok || !token) {
    throw new SignInNeeded(`The identity provider did not give a token: ${tokens.error_description || tokens.error || response.status}.`);
  }
  // Traded at once for a Roster session: the API accepts no other kind of token.
  const exchanged = await fetch('/sessions/oidc', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const ours = await exchanged.json().catch(() => ({}));
  if (!exchanged.ok || !ours.token) {
    throw new SignInNeeded(`Roster refused the identity provider's sign-in: ${ours.detail || exchanged.status}.`);
  }
  session.set(ours.token);
  history.replaceState(null, '', started.back && started.back !== CALLBACK ? started.back : '/console/');
}

/** Forgets the session; the next load signs in again. */
export function signOut() {
  session.clear();
}
