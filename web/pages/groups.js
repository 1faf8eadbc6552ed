// Groups and Schedules: the groups, and for one group a Members tab (Primary / Secondary /
// Manager checkboxes) and a Schedule tab (shifts with their time zone, and who is on call now).

import { api, enc, get } from '../api.js';
import { context, managesUsers, navigate } from '../app.js';
import { confirmDialog, field, fill, h, problemOf, showProblem, toast, when } from '../dom.js';
import { card } from './profile.js';

export async function groupsPage() {
  const { groups } = await get('/groups');
  const c = card('New Group');
  const name = h('input', { name: 'name' });
  const form = h('form.inline', { novalidate: true }, field('Group Name', name), h('button.primary', { type: 'submit' }, 'Create Group'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    c.ok();
    try {
      const group = await api('POST', '/groups', { name: name.value.trim() });
      navigate(`/console/groups/${enc(group.id)}`);
    } catch (error) {
      showProblem(c.el, problemOf(error));
    }
  });
  fill(c.body, form);
  return h('section.page', {}, h('h1', {}, 'Groups & Schedules'),
    groups.length ? h('ul.rows.groups', {}, groups.map((g) => h('li', {},
      h('a', { href: `/console/groups/${enc(g.id)}`, dataset: { link: '' } }, g.name))))
      : h('p.muted', {}, 'No groups yet.'),
    managesUsers(context.me) ? c.el : null);
}

export async function groupPage(id) {
  const group = await get(`/groups/${enc(id)}`);
  // The hash keeps the tab: a change on the Schedule tab comes back to it.
  const reload = () => navigate(location.pathname + location.hash, { replace: true });
  const tabs = [['Members', () => membersTab(group, reload)], ['Schedule', () => scheduleTab(group, reload)]];
  const panel = h('div.tabpanel', { role: 'tabpanel', id: 'group-panel', tabindex: '0' });
  const buttons = tabs.map(([label, draw], i) => {
    const tab = h('button', { type: 'button', role: 'tab', id: `tab-${label.toLowerCase()}`, 'aria-controls': panel.id,
      'aria-selected': i === 0 ? 'true' : 'false', tabindex: i === 0 ? '0' : '-1' }, label);
    tab.addEventListener('click', () => select(i));
    tab.addEventListener('keydown', (event) => {
      const by = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
      if (by) { const next = (i + by + tabs.length) % tabs.length; select(next); buttons[next].focus(); }
    });
    return tab;
  });
  async function select(i) {
    history.replaceState(null, '', `${location.pathname}${i === 1 ? '#schedule' : ''}`);
    buttons.forEach((b, j) => { b.setAttribute('aria-selected', String(i === j)); b.tabIndex = i === j ? 0 : -1; });
    panel.setAttribute('aria-labelledby', buttons[i].id);
    fill(panel, await tabs[i][1]());
  }
  await select(location.hash === '#schedule' ? 1 : 0);
  return h('section.page', {},
    h('p.crumbs', {}, h('a', { href: '/console/groups', dataset: { link: '' } }, 'Groups & Schedules')),
    h('h1', {}, group.name),
    h('div.tabs', { role: 'tablist', 'aria-label': 'Group' }, buttons), panel,
    managesUsers(context.me) ? h('div.actions', {}, h('button.danger', { type: 'button', onclick: () =>
      confirmDialog('Delete Group?', `${group.name} and its memberships will be deleted.`, async () => {
        await api('DELETE', `/groups/${enc(group.id)}`);
        navigate('/console/groups');
      }) }, 'Delete Group')) : null);
}

const ROLES = [['primary', 'Primary'], ['secondary', 'Secondary'], ['manager', 'Manager']];

function membersTab(group, reload) {
  const c = card('Members');
  const put = (userId, roles) => api('PUT', `/groups/${enc(group.id)}/members/${enc(userId)}`, roles);
  const rows = group.members.map((m) => {
    const name = `${m.first_name} ${m.last_name}`;
    const boxes = ROLES.map(([key, label]) => {
      const box = h('input', { type: 'checkbox', name: key, checked: m[key], 'aria-label': `${label}: ${name}` });
      box.addEventListener('change', async () => {
        c.ok();
        const roles = Object.fromEntries(ROLES.map(([k]) => [k, k === key ? box.checked : m[k]]));
        try {
          await put(m.user_id, roles);
          m[key] = box.checked;
        } catch (error) {
          box.checked = m[key];
          c.fail(error);
        }
      });
      return h('td.box', {}, box);
    });
    return h('tr', { dataset: { userId: m.user_id } },
      h('td', {}, h('a', { href: `/console/users/edit/${enc(m.user_id)}`, dataset: { link: '' } }, name)), h('td', {}, m.email), boxes,
      h('td', {}, h('button.link', { type: 'button', 'aria-label': `Remove ${name} from ${group.name}`, onclick: async () => {
        c.ok();
        try { await api('DELETE', `/groups/${enc(group.id)}/members/${enc(m.user_id)}`); reload(); } catch (error) { c.fail(error); }
      } }, 'Remove')));
  });
  const email = h('input', { name: 'email', type: 'email', placeholder: 'Their email' });
  const add = h('form.inline', { novalidate: true }, field('Add member', email),
    ROLES.map(([key, label]) => h('label.check', {}, h('input', { type: 'checkbox', name: key, checked: key === 'primary' }), label)),
    h('button', { type: 'submit' }, 'Add'));
  add.addEventListener('submit', async (event) => {
    event.preventDefault();
    c.ok();
    try {
      const wanted = email.value.trim().toLowerCase();
      const { users } = await get(`/users?limit=5&q=${enc(wanted)}`);
      const who = users.find((u) => u.email.toLowerCase() === wanted);
      if (!who) throw { problem: { errors: [{ field: 'email', message: `No user has the email ${wanted || '(none)'}` }] } };
      await put(who.id, Object.fromEntries(ROLES.map(([k]) => [k, add.elements[k].checked])));
      reload();
    } catch (error) {
      showProblem(c.el, problemOf(error));
    }
  });
  fill(c.body,
    h('table.list.members', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Email'),
      ROLES.map(([, label]) => h('th', { scope: 'col' }, label)), h('th', { scope: 'col' }, h('span.visually-hidden', {}, 'Actions')))),
    h('tbody', {}, rows)),
    group.members.length ? null : h('p.muted', {}, 'No members yet.'),
    add);
  return c.el;
}

async function scheduleTab(group, reload) {
  const zone = context.me.preferences.time_zone;
  const names = new Map(group.members.map((m) => [m.user_id, `${m.first_name} ${m.last_name}`]));
  const c = card('Shifts');
  const now = card('On Call Now');
  const onCall = await get(`/groups/${enc(group.id)}/on-call`).catch((error) => { now.fail(error); return null; });
  if (onCall) {
    fill(now.body, onCall.responders.length
      ? h('ul.rows.on-call', {}, onCall.responders.map((r) => h('li', {}, h('strong', {}, r.name),
        ` (${r.via}${r.covering_for ? ` for ${names.get(r.covering_for) || r.covering_for}` : ''})`,
        r.reachable ? '' : h('span.badge.warn', {}, `unreachable: ${r.reason}`))))
      : h('p.muted', {}, 'Nobody is on call right now.'),
    h('p.muted', {}, `As of ${when(onCall.at, zone)}.`));
  }
  const list = group.shifts.map((s) => h('li', { dataset: { shiftId: s.id } },
    h('strong', {}, s.name), ` from ${s.starts_at.slice(0, 16).replace('T', ' ')} ${s.time_zone}, ${s.duration_minutes} min, repeats ${s.repeat}; `,
    s.user_ids.map((u) => names.get(u) || u).join(', ') || 'nobody',
    h('button.link', { type: 'button', onclick: () => fill(c.body, shiftForm(group, c, reload, s)) }, 'Edit'),
    h('button.link', { type: 'button', onclick: async () => {
      c.ok();
      try { await api('DELETE', `/groups/${enc(group.id)}/shifts/${enc(s.id)}`); reload(); } catch (error) { c.fail(error); }
    } }, 'Delete')));
  fill(c.body, list.length ? h('ul.rows', {}, list) : h('p.muted', {}, 'No shifts yet.'),
    h('button', { type: 'button', onclick: () => fill(c.body, shiftForm(group, c, reload)) }, '+ Add Shift'));
  return h('div', {}, now.el, c.el);
}

/** Adding a shift, or changing `shift`: its local start in its own time zone, as stored. */
function shiftForm(group, c, reload, shift) {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const current = shift?.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const name = h('input', { name: 'name', value: shift?.name || '' });
  const start = h('input', { name: 'starts_at', type: 'datetime-local', value: shift?.starts_at.slice(0, 16) || '' });
  const zone = h('select', { name: 'time_zone' },
    [...new Set([current, 'UTC', ...zones])].map((z) => h('option', { value: z, selected: z === current }, z)));
  const minutes = h('input', { name: 'duration_minutes', type: 'number', min: 1, value: shift?.duration_minutes || 480 });
  const repeat = h('select', { name: 'repeat' },
    ['none', 'daily', 'weekly'].map((r) => h('option', { value: r, selected: r === (shift?.repeat || 'daily') }, r)));
  const people = h('fieldset.people', {}, h('legend', {}, 'On this shift'),
    group.members.map((m) => h('label.check', {}, h('input', { type: 'checkbox', name: 'user_ids', value: m.user_id,
      checked: shift?.user_ids.includes(m.user_id) }), `${m.first_name} ${m.last_name}`)));
  const form = h('form', { novalidate: true }, field('Name', name), field('Starts (local time)', start), field('Time Zone', zone),
    field('Duration (minutes)', minutes), field('Repeat', repeat), people,
    h('div.actions', {}, h('button', { type: 'button', onclick: reload }, 'Cancel'),
      h('button.primary', { type: 'submit' }, shift ? 'Save Shift' : 'Add Shift')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    c.ok();
    const body = {
      name: name.value.trim(), starts_at: start.value, time_zone: zone.value, duration_minutes: Number(minutes.value),
      repeat: repeat.value, user_ids: [...form.querySelectorAll('input[name=user_ids]:checked')].map((b) => b.value),
    };
    try {
      if (shift) await api('PATCH', `/groups/${enc(group.id)}/shifts/${enc(shift.id)}`, body);
      else await api('POST', `/groups/${enc(group.id)}/shifts`, body);
      toast(shift ? 'Shift saved.' : 'Shift added.');
      reload();
    } catch (error) {
      showProblem(c.el, problemOf(error));
    }
  });
  queueMicrotask(() => name.focus());
  return form;
}
