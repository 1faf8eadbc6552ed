// The console's shell: sign in, learn who is at the keyboard, draw the navigation their rights
// allow, and route /console/... paths to pages without reloading.

import { SignInNeeded, session, signIn, signOut, takeResetLink } from './auth.js';
import { ApiError, enc, get, whenSessionEnds } from './api.js';
import { fill, h } from './dom.js';
import { usersPage } from './pages/users.js';
import { profilePage } from './pages/profile.js';
import { groupsPage, groupPage } from './pages/groups.js';
import { auditPage } from './pages/audit.js';
import { forgotPasswordPage, setPasswordPage, signInPage } from './pages/sign-in.js';

/** What every page may read: the console's settings and the signed-in user. */
export const context = { config: null, me: null };

/** Whether the signed-in user may see every user (the Users, Groups and Audit pages). */
export const readsEveryone = (me) => me.is_owner || me.roles.includes('app-admin') || me.roles.includes('system-viewer');
/** Whether the signed-in user may add, change and delete users. */
export const managesUsers = (me) => me.is_owner || me.roles.includes('app-admin');

const ROUTES = [
  [/^\/console\/users$/, () => usersPage(), readsEveryone],
  [/^\/console\/users\/edit\/([^/]+)$/, (id) => profilePage(decodeURIComponent(id)), null],
  [/^\/console\/groups$/, () => groupsPage(), readsEveryone],
  [/^\/console\/groups\/([^/]+)$/, (id) => groupPage(decodeURIComponent(id)), readsEveryone],
  [/^\/console\/audit$/, () => auditPage(), readsEveryone],
  [/^\/console\/me$/, () => profilePage(context.me.id, { mine: true }), null],
];

/** Goes to a console path, as a link click would. */
export function navigate(path, { replace = false } = {}) {
  history[replace ? 'replaceState' : 'pushState'](null, '', path);
  render();
}

function home() {
  return readsEveryone(context.me) ? '/console/users' : '/console/me';
}

async function render() {
  const main = document.getElementById('main');
  const path = location.pathname.replace(/\/+$/, '') || '/console';
  if (path === '/console' || path === '/console/callback') return navigate(home(), { replace: true });
  const found = ROUTES.map(([pattern, page, allowed]) => [path.match(pattern), page, allowed])
    .find(([match]) => match);
  markCurrent(path);
  if (!found || (found[2] && !found[2](context.me))) {
    fill(main, h('h1', {}, 'Not here'), h('p', {}, 'This page does not exist or is not yours to see. '),
      h('a', { href: home(), dataset: { link: '' } }, 'Go to your start page'));
    return;
  }
  const [match, page] = found;
  try {
    const content = await page(...match.slice(1));
    fill(main, content);
  } catch (error) {
    fill(main, h('h1', {}, 'Could not load this page'),
      h('p.alert', { role: 'alert' }, error instanceof ApiError ? error.message : String(error)));
  }
  main.focus({ preventScroll: true });
}

function markCurrent(path) {
  for (const link of document.querySelectorAll('#nav a')) {
    const current = path === link.getAttribute('href') || path.startsWith(`${link.getAttribute('href')}/`);
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
}

function drawNavigation(me) {
  const links = readsEveryone(me)
    ? [['/console/users', 'Users'], ['/console/groups', 'Groups & Schedules'], ['/console/audit', 'Audit Log'], ['/console/me', 'My Profile']]
    : [['/console/me', 'My Profile']];
  fill(document.getElementById('nav'), h('ul', {},
    links.map(([href, label]) => h('li', {}, h('a', { href, dataset: { link: '' } }, label)))));
  fill(document.getElementById('who'), `${me.first_name} ${me.last_name}`);
  const out = document.getElementById('sign-out');
  out.hidden = false;
  out.onclick = () => { signOut(); signedOut('You are signed out.', { news: true }); };
}

/** The sign-in page (with `message`: what went wrong, or news), and the console once the person
 * has signed in. */
function signedOut(message, { news = false } = {}) {
  document.getElementById('nav').replaceChildren();
  document.getElementById('who').replaceChildren();
  document.getElementById('sign-out').hidden = true;
  const main = document.getElementById('main');
  if (!context.config) {
    fill(main, h('h1', {}, 'Roster'), h('p.alert', { role: 'alert' }, message));
    return;
  }
  const said = news ? { message } : { alert: message };
  fill(main, signInPage(context.config, { ...said, done: () => boot() }));
  main.querySelector('input')?.focus();
}

/** The pages of someone without a session: set a password from an emailed link, or ask for one. */
const PUBLIC = {
  '/console/reset-password': () => setPasswordPage(context.config, {
    ...takeResetLink(),
    done: () => { history.replaceState(null, '', '/console/me'); boot(); },
  }),
  '/console/forgot-password': () => forgotPasswordPage(),
};

// Links marked data-link change pages in place.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-link]');
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
});
window.addEventListener('popstate', render);

async function boot() {
  try {
    context.config ||= await (await fetch('/console/config.json')).json();
    const open = PUBLIC[location.pathname.replace(/\/+$/, '')];
    if (open) {
      const main = document.getElementById('main');
      fill(main, open());
      main.querySelector('input')?.focus();
      return;
    }
    await signIn(context.config);
    context.me = await get(`/users/${enc(session.claims().sub)}`);
  } catch (error) {
    if (!(error instanceof SignInNeeded)) session.clear();
    return signedOut(error.message);
  }
  whenSessionEnds((problem) => {
    session.clear();
    signedOut(`Your session has ended (${problem.detail || 'sign in again'}).`);
  });
  drawNavigation(context.me);
  await render();
}

boot();
