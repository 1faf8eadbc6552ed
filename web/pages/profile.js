// A user's profile (/console/users/edit/<id>, and My Profile): one card per part, each showing
// the API's refusal inside itself.

import { api, enc, get } from '../api.js';
import { context, managesUsers, navigate } from '../app.js';
import {
  alertBox, clearErrors, confirmDialog, field, fill, h, problemOf, showProblem, toast, when,
} from '../dom.js';
import { vocabulary } from '../vocabulary.js';
import { contactMethodsCard } from './contacts.js';

/** A card: a heading, its actions, its content, and where its refusals show. */
export function card(title, { actions = [], className = '' } = {}) {
  const body = h('div.card-body');
  const heading = h('h2', {}, title);
  const el = h(`section.card${className ? `.${className}` : ''}`, { 'aria-label': title },
    h('div.card-head', {}, heading, h('div.card-actions', {}, actions)), alertBox(), body);
  return { el, body, fail: (error) => showProblem(el, problemOf(error)), ok: () => clearErrors(el) };
}

export async function profilePage(id, { mine = false } = {}) {
  const { data: user, etag } = await get(`/users/${enc(id)}`, { etag: true });
  const state = { user, etag };
  const manage = managesUsers(context.me);
  const self = user.id === context.me.id;
  const reload = () => navigate(location.pathname, { replace: true });
  const name = `${user.first_name} ${user.last_name}`;
  return h('section.page.profile', {},
    h('div.page-head', {}, h('div', {},
      mine ? null : h('p.crumbs', {}, h('a', { href: '/console/users', dataset: { link: '' } }, 'Users')),
      h('h1', {}, mine ? 'My Profile' : name))),
    h('div.cards', {},
      profileCard(state, { manage, self, reload }),
      preferencesCard(state, reload),
      remindersCard(state, reload),
      contactMethodsCard(user, reload),
      await outOfOfficeCard(user),
      rolesCard(user, manage, reload),
      schedulesCard(user),
      mine ? passwordCard(user) : null));
}

/** Change password (My Profile only): the current one, then the new one. The API says who may
 * (not someone an identity provider signs in) and why a new one is refused. */
function passwordCard(user) {
  const c = card('Password');
  const { min_chars: min, max_chars: max } = vocabulary().password;
  const current = h('input', { name: 'current', type: 'password', autocomplete: 'current-password' });
  const next = h('input', { name: 'new', type: 'password', autocomplete: 'new-password' });
  const form = h('form', { novalidate: true },
    field('Current password', current),
    field('New password', next, { hint: `${min}–${max} characters, hard to guess.` }),
    h('div.actions', {}, h('button', { type: 'submit' }, 'Change password')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    c.ok();
    try {
      await api('POST', `/users/${enc(user.id)}/password`, { current: current.value, new: next.value });
      current.value = '';
      next.value = '';
      toast('Your password is changed.');
    } catch (error) {
      c.fail(error);
    }
  });
  fill(c.body, form);
  return c.el;
}

/** PATCH /users/{id} with the version this page read: someone else's change in between is 412. */
async function patchUser(state, body) {
  const { data, etag } = await api('PATCH', `/users/${enc(state.user.id)}`, body,
    { headers: { 'If-Match': state.etag }, etag: true });
  state.user = data;
  state.etag = etag;
  return data;
}

function profileCard(state, { manage, self, reload }) {
  const { user } = state;
  const { userTypes } = vocabulary();
  const c = card('Profile', {
    actions: [
      manage || self ? h('button', { type: 'button', onclick: () => edit() }, 'EDIT') : null,
      manage && !self ? h('button.danger', { type: 'button', onclick: () => remove() }, 'DELETE') : null,
    ],
  });
  const facts = () => h('dl.facts', {},
    [['First Name', user.first_name], ['Last Name', user.last_name], ['Email', user.email],
      ['Username', user.username], ['User Type', userTypes.get(user.user_type) || user.user_type],
      ['Status', user.status]].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    h('dt', {}, 'Member Of'),
    h('dd', {}, user.member_of?.length ? h('ul.flat', {}, user.member_of.map((g) => h('li', {}, g))) : 'No groups'));
  fill(c.body, facts());

  function edit() {
    const inputs = {
      first_name: h('input', { name: 'first_name', value: user.first_name }),
      last_name: h('input', { name: 'last_name', value: user.last_name }),
      email: h('input', { name: 'email', type: 'email', value: user.email }),
    };
    const form = h('form', { novalidate: true },
      field('First Name', inputs.first_name), field('Last Name', inputs.last_name), field('Email', inputs.email),
      h('div.actions', {}, h('button', { type: 'button', onclick: () => fill(c.body, facts()) }, 'Cancel'),
        h('button.primary', { type: 'submit' }, 'Save')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      c.ok();
      clearErrors(form);
      const body = {};
      for (const [key, input] of Object.entries(inputs)) if (input.value.trim() !== user[key]) body[key] = input.value.trim();
      try {
        await patchUser(state, body);
        toast('Profile saved.');
        reload();
      } catch (error) {
        showProblem(c.el, problemOf(error));
      }
    });
    fill(c.body, form);
    inputs.first_name.focus();
  }

  function remove() {
    const name = `${user.first_name} ${user.last_name}`;
    confirmDialog('Delete User?', `${name} (${user.email}) will be removed from the account.`, async () => {
      await api('DELETE', `/users/${enc(user.id)}`);
      toast(`${name} was deleted.`);
      navigate('/console/users');
    });
  }
  return c.el;
}

function preferencesCard(state, reload) {
  const { preferences } = state.user;
  const c = card('Preferences');
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zone = h('select', { name: 'time_zone' },
    [...new Set([preferences.time_zone, 'UTC', ...zones])].map((z) => h('option', { value: z, selected: z === preferences.time_zone }, z)));
  const locale = h('input', { name: 'locale', value: preferences.locale });
  const theme = h('select', { name: 'theme' },
    ['light', 'dark'].map((t) => h('option', { value: t, selected: t === preferences.theme }, t[0].toUpperCase() + t.slice(1))));
  const form = h('form', { novalidate: true }, field('Time Zone', zone), field('Locale', locale, { hint: 'Like en-US or pt-PT' }),
    field('Theme', theme), h('div.actions', {}, h('button.primary', { type: 'submit' }, 'Save')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    c.ok();
    try {
      await patchUser(state, { preferences: { time_zone: zone.value, locale: locale.value.trim(), theme: theme.value } });
      toast('Preferences saved.');
      reload();
    } catch (error) {
      showProblem(c.el, problemOf(error));
    }
  });
  fill(c.body, form);
  return c.el;
}

function remindersCard(state, reload) {
  const c = card('On-Call Reminder');
  const reminders = state.user.on_call_reminders;
  const save = async (next) => {
    c.ok();
    try {
      await patchUser(state, { on_call_reminders: next });
      reload();
    } catch (error) {
      c.fail(error);
    }
  };
  const amount = h('input', { name: 'amount', type: 'number', min: 1, value: 1 });
  const unit = h('select', { name: 'unit' }, ['minutes', 'hours', 'days'].map((u) => h('option', { value: u, selected: u === 'hours' }, u)));
  const form = h('form.inline', { novalidate: true }, field('Remind me', amount), field('Unit', unit),
    h('button', { type: 'submit' }, 'Add Reminder'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save([...reminders, { amount: Number(amount.value), unit: unit.value }]);
  });
  fill(c.body,
    reminders.length
      ? h('ul.rows', {}, reminders.map((r, i) => h('li', {}, `${r.amount} ${r.unit} before each shift`,
        h('button.link', { type: 'button', onclick: () => save(reminders.filter((_, j) => j !== i)) }, 'Remove'))))
      : h('p.muted', {}, 'No reminders.'),
    form);
  return c.el;
}

async function outOfOfficeCard(user) {
  const c = card('Out of Office');
  const draw = async () => {
    const { out_of_office: entries } = await get(`/users/${enc(user.id)}/out-of-office`);
    const zone = context.me.preferences.time_zone;
    const start = h('input', { name: 'starts_at', type: 'datetime-local' });
    const end = h('input', { name: 'ends_at', type: 'datetime-local' });
    const cover = h('input', { name: 'cover', type: 'email', placeholder: 'Their email' });
    const form = h('form', { novalidate: true }, field('From', start), field('Until', end), field('Covered by', cover),
      h('div.actions', {}, h('button', { type: 'submit' }, 'Add Out of Office')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      c.ok();
      try {
        const found = await get(`/users?limit=1&q=${enc(cover.value.trim())}`);
        const who = found.users.find((u) => u.email.toLowerCase() === cover.value.trim().toLowerCase());
        if (!who) throw { problem: { errors: [{ field: 'cover', message: `No user has the email ${cover.value.trim() || '(none)'}` }] } };
        await api('POST', `/users/${enc(user.id)}/out-of-office`, {
          starts_at: new Date(start.value).toISOString(), ends_at: new Date(end.value).toISOString(), cover: { all: who.id },
        });
        await draw();
      } catch (error) {
        showProblem(c.el, problemOf(error));
      }
    });
    fill(c.body,
      entries.length ? h('ul.rows', {}, entries.map((e) => h('li', {},
        `${when(e.starts_at, zone)} – ${when(e.ends_at, zone)}`,
        h('button.link', { type: 'button', onclick: async () => {
          try { await api('DELETE', `/users/${enc(user.id)}/out-of-office/${enc(e.id)}`); await draw(); } catch (error) { c.fail(error); }
        } }, 'Remove')))) : h('p.muted', {}, 'Not away.'),
      form);
  };
  await draw().catch((error) => c.fail(error));
  return c.el;
}

function rolesCard(user, manage, reload) {
  const { roles, roleNames } = vocabulary();
  const c = card('Roles');
  if (user.user_type !== 'standard') {
    fill(c.body, h('p.muted', {}, 'Only standard users hold platform roles.'));
    return c.el;
  }
  const act = async (call) => {
    c.ok();
    try { await call(); reload(); } catch (error) { c.fail(error); }
  };
  const missing = roles.filter((r) => !user.roles.includes(r.id));
  const pick = h('select', { name: 'role', 'aria-label': 'Role to add' }, missing.map((r) => h('option', { value: r.id }, r.name)));
  fill(c.body,
    h('table.list', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Role Name'), h('th', { scope: 'col' }, 'Actions'))),
      h('tbody', {}, user.roles.map((r) => h('tr', {}, h('td', {}, roleNames.get(r) || r),
        h('td', {}, manage ? h('button.link', { type: 'button', 'aria-label': `Remove ${roleNames.get(r) || r}`,
          onclick: () => act(() => api('DELETE', `/users/${enc(user.id)}/roles/${enc(r)}`)) }, 'Remove') : null))))),
    manage && missing.length ? h('div.inline', {}, pick,
      h('button', { type: 'button', onclick: () => act(() => api('POST', `/users/${enc(user.id)}/roles`, { role: pick.value })) }, 'Add Role')) : null);
  return c.el;
}

/** Upcoming shifts, read from the user's own calendar export (the next 14 days). */
function schedulesCard(user) {
  const c = card('Schedules');
  const list = h('div', {}, h('p.muted', {}, 'Loading…'));
  const day = (d) => d.toISOString().slice(0, 10);
  const from = new Date();
  const to = new Date(Date.now() + 14 * 864e5);
  const ics = `/users/${enc(user.id)}/schedule.ics?from=${day(from)}&to=${day(to)}`;
  get(ics).then((text) => {
    const events = parseEvents(text);
    fill(list, events.length ? h('ul.rows', {}, events.map((e) => h('li', {}, h('strong', {}, e.summary), ` ${e.start}`)))
      : h('p.muted', {}, 'No shifts in the next 14 days.'));
  }).catch((error) => { fill(list); c.fail(error); });
  const feed = h('p');
  fill(c.body, list,
    h('div.actions', {},
      h('button', { type: 'button', onclick: async () => {
        try {
          const text = await get(`/users/${enc(user.id)}/schedule.ics`);
          const link = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/calendar' })), download: 'schedule.ics' });
          link.click();
          URL.revokeObjectURL(link.href);
        } catch (error) { c.fail(error); }
      } }, 'Download iCal'),
      h('button', { type: 'button', onclick: async () => {
        try {
          const made = await api('POST', `/users/${enc(user.id)}/calendar-token`);
          fill(feed, 'Subscribe: ', h('a', { href: made.webcal_url }, made.webcal_url),
            h('span.muted', {}, ' (a new link replaces the old one)'));
        } catch (error) { c.fail(error); }
      } }, 'WebCal Link')),
    feed);
  return c.el;
}

/** The VEVENTs of Roster's own calendar export: summary and local start with its zone. */
export function parseEvents(text) {
  const lines = text.replace(/\r\n[ \t]/g, '').split(/\r?\n/);
  const events = [];
  let current = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) { events.push(current); current = null; } else if (current) {
      const [head, ...rest] = line.split(':');
      const value = rest.join(':');
      const [name, ...params] = head.split(';');
      if (name === 'SUMMARY') current.summary = value.replace(/\\([,;\\])/g, '$1');
      if (name === 'DTSTART') {
        const zone = params.find((p) => p.startsWith('TZID='))?.slice(5) || 'UTC';
        const m = value.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})/);
        current.start = m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]} ${zone}` : value;
      }
    }
  }
  return events;
}

