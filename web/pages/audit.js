// The audit log: who changed what, newest first, for those who may read it.

import { get } from '../api.js';
import { context } from '../app.js';
import { h, problemOf, toast, when } from '../dom.js';

export async function auditPage() {
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  const zone = context.me.preferences.time_zone;
  let cursor = null;
  const who = (actor) => actor.email || actor.name || actor.kind;
  async function load() {
    const page = await get(`/audit${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    body.append(...page.entries.map((e) => h('tr', {},
      h('td', {}, when(e.at, zone)), h('td', {}, who(e.actor)), h('td', {}, e.action),
      h('td', {}, `${e.target.kind} ${e.target.id}`))));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener('click', () => load().catch((e) => toast(problemOf(e).detail)));
  await load();
  return h('section.page', {}, h('h1', {}, 'Audit Log'),
    h('table.list', {}, h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Target'].map((t) => h('th', { scope: 'col' }, t)))), body),
    more);
}
