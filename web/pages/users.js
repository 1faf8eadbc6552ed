// Configuration → Users: the searchable list, "+ Add User", and deleting from the row.

import { api, enc, get } from '../api.js';
import { context, managesUsers } from '../app.js';
import {
  alertBox, clearErrors, confirmDialog, field, fieldError, h, icon, problemOf, showProblem, toast,
} from '../dom.js';
import { vocabulary } from '../vocabulary.js';

const PAGE = 50;

export async function usersPage() {
  const manage = managesUsers(context.me);
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  const status = h('p.muted', { role: 'status' });
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Search by name or email', 'aria-label': 'Search users' });
  let cursor = null;
  let query = '';

  async function load(reset) {
    const params = new URLSearchParams({ limit: PAGE, include: 'delete_blockers' });
    if (query) params.set('q', query);
    if (!reset && cursor) params.set('cursor', cursor);
    const page = await get(`/users?${params}`);
    if (reset) body.replaceChildren();
    body.append(...page.users.map((user) => row(user, manage, () => load(true))));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    status.textContent = body.children.length ? '' : (query ? `No user matches “${query}”.` : 'No users yet.');
  }

  let typing;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => { query = search.value.trim(); load(true).catch((e) => toast(problemOf(e).detail)); }, 250);
  });
  more.addEventListener('click', () => load(false).catch((e) => toast(problemOf(e).detail)));
  await load(true);

  return h('section.page', {},
    h('div.page-head', {},
      h('div', {}, h('p.crumbs', {}, 'Configuration'), h('h1', {}, 'Users')),
      manage ? h('button.primary', { type: 'button', onclick: () => addUserDialog(() => load(true)) }, '+ Add User') : null),
    h('div.toolbar', {}, search),
    h('table.list.users', {},
      h('thead', {}, h('tr', {},
        ['Name', 'Email', 'Username', 'User Type', 'Roles', 'Status'].map((t) => h('th', { scope: 'col' }, t)),
        h('th', { scope: 'col' }, h('span.visually-hidden', {}, 'Actions')))),
      body),
    status, more);
}

function row(user, manage, reload) {
  const name = `${user.first_name} ${user.last_name}`;
  const types = vocabulary().userTypes;
  const roleNames = vocabulary().roleNames;
  return h('tr', { dataset: { userId: user.id } },
    h('td', {}, h('a', { href: `/console/users/edit/${enc(user.id)}`, dataset: { link: '' } }, name),
      user.is_owner ? h('span.badge', {}, 'Owner') : null),
    h('td', {}, user.email),
    h('td', {}, user.username),
    h('td', {}, types.get(user.user_type) || user.user_type),
    h('td', {}, user.roles.map((r) => roleNames.get(r) || r).join(', ')),
    h('td', {}, h(`span.status.${user.status}`, {}, user.status)),
    h('td.row-actions', {}, manage ? trash(user, name, reload) : null));
}

/** The row's trash icon: greyed out, with the reasons as its tooltip, when a delete would be refused. */
function trash(user, name, reload) {
  const reasons = blockers(user);
  const label = `Delete ${name}`;
  if (reasons.length) {
    const why = `${name} cannot be deleted: ${reasons.join('; ')}.`;
    return h('button.icon.trash', { type: 'button', 'aria-disabled': 'true', 'aria-label': label, title: why,
      onclick: () => toast(why) }, icon('trash'));
  }
  return h('button.icon.trash', { type: 'button', 'aria-label': label, title: label,
    onclick: () => confirmDialog('Delete User?',
      `${name} (${user.email}) will be removed from the account, with their contact methods and group memberships.`,
      async () => { await api('DELETE', `/users/${enc(user.id)}`); toast(`${name} was deleted.`); await reload(); }) },
  icon('trash'));
}

/** What stands in the way of deleting `user`, in words, from the list's delete_blockers. */
export function blockers(user) {
  const b = user.delete_blockers || { shifts: [], groups: [], covering: [] };
  if (user.is_owner) return ['the Owner is never deleted'];
  return [
    ...b.shifts.map((s) => `on shift ${s.shift} of ${s.group}`),
    ...b.groups.map((g) => `last primary or secondary of ${g.group}`),
    ...b.covering.map((c) => `covers ${c.user} while they are away`),
  ];
}

/** The "+ Add User" modal: SUBMIT, ADD ANOTHER (saves and keeps it open, cleared) and CANCEL. */
export function addUserDialog(onAdded) {
  const { roles, userTypes } = vocabulary();
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'off' });
  const same = h('input', { type: 'checkbox', name: 'use_email', checked: true, id: 'use-email' });
  const username = h('input', { name: 'username', autocomplete: 'off' });
  const first = h('input', { name: 'first_name', autocomplete: 'off' });
  const last = h('input', { name: 'last_name', autocomplete: 'off' });
  const type = h('select', { name: 'user_type' },
    [...userTypes].map(([id, label]) => h('option', { value: id, selected: id === 'standard' }, label)));
  const role = h('select', { name: 'roles' },
    roles.map(({ id, name }) => h('option', { value: id, selected: id === 'basic' }, name)));
  const usernameField = field('Username', username);
  const roleField = field('User Role', role);
  usernameField.hidden = true;
  same.addEventListener('change', () => { usernameField.hidden = same.checked; });
  type.addEventListener('change', () => { roleField.hidden = type.value !== 'standard'; });
  const alert = alertBox();
  const added = h('p.muted', { role: 'status' });
  const form = h('form', { novalidate: true },
    field('Email', email),
    h('div.check', {}, same, h('label', { for: same.id }, 'Use Email as User Name')),
    usernameField, field('First Name', first), field('Last Name', last), field('User Type', type), roleField,
    alert, added,
    h('div.actions', {},
      h('button', { type: 'button', onclick: () => dialog.close() }, 'CANCEL'),
      h('button', { type: 'submit', value: 'another' }, 'ADD ANOTHER'),
      h('button.primary', { type: 'submit', value: 'submit' }, 'SUBMIT')));
  const heading = h('h2', { id: 'add-user-title' }, 'Add User');
  const dialog = h('dialog.form', { 'aria-labelledby': heading.id }, heading, form);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const another = event.submitter?.value === 'another';
    clearErrors(form);
    added.textContent = '';
    const missing = [
      ['email', email, 'Email'], ['username', same.checked ? null : username, 'Username'],
      ['first_name', first, 'First Name'], ['last_name', last, 'Last Name'],
    ].filter(([, input]) => input && !input.value.trim());
    for (const [name, , label] of missing) fieldError(form, name, `${label} is required`);
    if (missing.length) {
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    const body = {
      email: email.value.trim(), first_name: first.value.trim(), last_name: last.value.trim(),
      user_type: type.value,
    };
    if (!same.checked) body.username = username.value.trim();
    if (type.value === 'standard') body.roles = [role.value];
    try {
      const user = await api('POST', '/users', body);
      await onAdded(user);
      if (!another) {
        dialog.close();
        toast(`${user.first_name} ${user.last_name} was added.`);
        return;
      }
      form.reset();
      usernameField.hidden = true;
      roleField.hidden = false;
      added.textContent = `${user.first_name} ${user.last_name} was added. Add another.`;
      email.focus();
    } catch (error) {
      showProblem(form, problemOf(error));
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  email.focus();
  return dialog;
}

