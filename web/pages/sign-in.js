// The pages a person reaches before they have a session: sign in with a password (or the
// identity provider, where one is set up), "Forgot password?", and the set-password page an
// invitation or a reset email links to. Every rule is the API's: this page shows its answers.

import { session, startOidc } from '../auth.js';
import { alertBox, clearErrors, field, fill, h, showProblem } from '../dom.js';

const FORGOT = '/console/forgot-password';

/** POSTs JSON without a session; answers the parsed body, or throws the problem document. */
async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.ok) return response.status === 204 || response.status === 202 ? null : response.json();
  const problem = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
  const wait = Number(response.headers.get('Retry-After'));
  if (response.status === 429 && wait) {
    problem.detail = `Too many failed sign-ins. Try again in ${wait < 90 ? `${wait} seconds` : `${Math.ceil(wait / 60)} minutes`}.`;
  }
  throw Object.assign(new Error(problem.detail), { problem });
}

/** Signs in with a login and a password; the session is this tab's. */
export async function signInWithPassword(login, password) {
  const { token } = await post('/sessions', { login, password });
  session.set(token);
}

/** The sign-in page, with `message` (news) or `alert` (what went wrong) above the form. */
export function signInPage(config, { message, alert, login = '', done }) {
  const inputs = {
    login: h('input', { name: 'login', autocomplete: 'username', value: login, required: true }),
    password: h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
  };
  const form = h('form.narrow', { novalidate: true },
    alertBox(),
    field('Email or username', inputs.login),
    field('Password', inputs.password),
    h('div.actions.spread', {},
      h('a', { href: FORGOT }, 'Forgot password?'),
      h('button.primary', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await signInWithPassword(inputs.login.value, inputs.password.value);
      done();
    } catch (error) {
      inputs.password.value = '';
      showProblem(form, error.problem || { detail: String(error) });
    }
  });
  const sso = config.sign_in.oidc
    ? h('p', {}, h('button', { type: 'button', onclick: () => startOidc(config.sign_in.oidc) },
      'Sign in with your identity provider'))
    : null;
  const links = config.sign_in.links
    ? h('p.hint', {}, 'An operator can also print a one-time sign-in link with `roster console`.')
    : null;
  return h('section.page.sign-in', {},
    h('h1', {}, 'Sign in to Roster'),
    message ? h('p.notice', { role: 'status' }, message) : null,
    alert ? h('p.alert', { role: 'alert' }, alert) : null,
    form, sso, links);
}

/** "Forgot password?": an email, and the same answer whoever it belongs to. */
export function forgotPasswordPage() {
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true });
  const form = h('form.narrow', { novalidate: true },
    alertBox(), field('Email', email),
    h('div.actions.spread', {},
      h('a', { href: '/console/' }, 'Back to sign in'),
      h('button.primary', { type: 'submit' }, 'Send reset link')));
  const page = h('section.page.sign-in', {}, h('h1', {}, 'Forgot your password?'),
    h('p', {}, 'We will email a link to set a new password. It works once, for 72 hours.'), form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await post('/password-resets/requests', { email: email.value });
      fill(page, h('h1', {}, 'Check your email'),
        h('p', { role: 'status' }, `If ${email.value} belongs to someone who signs in with a password, a link to set a new one is on its way.`),
        h('p', {}, h('a', { href: '/console/' }, 'Back to sign in')));
    } catch (error) {
      showProblem(form, error.problem || { detail: String(error) });
    }
  });
  return page;
}

/**
 * The set-password page an invitation or a reset email links to
 * (`/console/reset-password#token=…&login=…`). The token leaves the address bar before anything
 * else; the person chooses a password, sees the length rule as they type and the API's reason
 * if it is refused, and is signed in once it is set.
 */
export function setPasswordPage(config, { token, login, done }) {
  const { min_chars: min, max_chars: max } = config.vocabulary.password;
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true });
  const again = h('input', { name: 'again', type: 'password', autocomplete: 'new-password', required: true });
  const rule = h('p.hint', { id: 'password-rule', 'aria-live': 'polite' });
  const showRule = () => {
    const n = [...password.value].length;
    rule.textContent = n < min ? `${min}–${max} characters: ${min - n} more to go.`
      : n > max ? `${min}–${max} characters: ${n - max} too many.`
        : `${n} characters. It must also be hard to guess: not a common password, not your name or email.`;
  };
  password.addEventListener('input', showRule);
  showRule();
  const form = h('form.narrow', { novalidate: true },
    alertBox(),
    field('New password', password),
    rule,
    field('Repeat it', again),
    h('div.actions', {}, h('button.primary', { type: 'submit' }, 'Set password')));
  password.setAttribute('aria-describedby', `${password.getAttribute('aria-describedby')} password-rule`);
  const page = h('section.page.sign-in', {}, h('h1', {}, 'Choose your password'), form);
  if (!token) {
    fill(page, h('h1', {}, 'This link is incomplete'),
      h('p', {}, 'Open the link from your email again, or ask for a new one.'),
      h('p', {}, h('a', { href: FORGOT }, 'Forgot password?')));
    return page;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (again.value !== password.value) {
      showProblem(form, { errors: [{ field: 'again', message: 'The two passwords differ.' }] });
      return;
    }
    try {
      await post('/password-resets', { token, password: password.value });
    } catch (error) {
      showProblem(form, error.problem || { detail: String(error) });
      return;
    }
    if (!login) {
      fill(page, signInPage(config, { message: 'Your password is set. Sign in with it.', done }));
      return;
    }
    try {
      await signInWithPassword(login, password.value);
      done();
    } catch (error) {
      fill(page, signInPage(config, { message: 'Your password is set. Sign in with it.', login, done }));
    }
  });
  return page;
}
