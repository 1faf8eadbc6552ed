// The Contact Methods card: the escalation sequence, reordered by dragging a row's ⋮⋮ handle or
// with the arrow keys on it; each method's wait and retries; adding one of the kinds the user
// does not have yet (never Push: devices register themselves).

import { api, enc } from '../api.js';
import { field, fill, h, icon, problemOf, showProblem } from '../dom.js';
import { vocabulary } from '../vocabulary.js';
import { card } from './profile.js';

// A push method reaches every registered device: say how many and which platforms, never tokens.
function shown(m) {
  if (!m.devices) return m.value;
  const n = m.devices.length;
  return `${n} device${n === 1 ? '' : 's'} (${m.devices.map((d) => d.platform).join(', ')})`;
}

export function contactMethodsCard(user, reload) {
  const { methods: kinds, methodNames } = vocabulary();
  const c = card('Contact Methods', { className: 'contacts' });
  const list = h('ol.sequence', { 'aria-label': 'Escalation sequence, first contacted first' });
  const said = h('p.visually-hidden', { role: 'status', 'aria-live': 'polite' });
  const base = `/users/${enc(user.id)}/contact-methods`;
  let methods = user.contact_methods;
  const nameOf = (m) => methodNames.get(m.method) || m.method;

  async function move(from, to, { byKeyboard = false } = {}) {
    if (to < 0 || to >= methods.length || from === to) return;
    const next = [...methods];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved);
    c.ok();
    try {
      const sequence = await api('PUT', `${base}/order`, { order: next.map((m) => m.method) });
      methods = sequence.contact_methods;
      draw();
      said.textContent = `${nameOf(moved)} is now number ${to + 1} of ${methods.length}.`;
      if (byKeyboard) list.children[to]?.querySelector('.handle').focus();
    } catch (error) {
      c.fail(error);
    }
  }

  function row(m, i) {
    const name = nameOf(m);
    const handle = h('button.handle', { type: 'button', 'aria-label': `Move ${name} (position ${i + 1}); use the up and down arrow keys` }, '⋮⋮');
    handle.addEventListener('keydown', (event) => {
      const by = { ArrowUp: -1, ArrowDown: 1 }[event.key];
      if (by) { event.preventDefault(); move(i, i + by, { byKeyboard: true }); }
    });
    const number = (key, label, max) => {
      const input = h('input', { type: 'number', name: key, min: 0, max, value: m[key], 'aria-label': `${label} for ${name}` });
      input.addEventListener('change', async () => {
        c.ok();
        try { await api('PATCH', `${base}/${enc(m.method)}`, { [key]: Number(input.value) }); } catch (error) { c.fail(error); input.value = m[key]; }
      });
      return h('label.small', {}, label, input);
    };
    const li = h('li', { draggable: 'true', dataset: { method: m.method } },
      handle, h('span.method', {}, name), h('span.value', {}, shown(m)),
      number('wait_minutes', 'Wait (min)', 60), number('retries', 'Retries', 10),
      h('button.icon', { type: 'button', 'aria-label': `Remove ${name}`, title: `Remove ${name}`, onclick: async () => {
        c.ok();
        try { await api('DELETE', `${base}/${enc(m.method)}`); reload(); } catch (error) { c.fail(error); }
      } }, icon('trash')));
    li.addEventListener('dragstart', (event) => {
      event.dataTransfer.setData('text/plain', String(i));
      event.dataTransfer.effectAllowed = 'move';
      li.classList.add('dragging');
    });
    li.addEventListener('dragend', () => li.classList.remove('dragging'));
    li.addEventListener('dragover', (event) => { event.preventDefault(); event.dataTransfer.dropEffect = 'move'; });
    li.addEventListener('drop', (event) => {
      event.preventDefault();
      move(Number(event.dataTransfer.getData('text/plain')), i);
    });
    return li;
  }

  function draw() {
    fill(list, methods.map(row));
    const addable = kinds.filter((k) => k.addable && !methods.some((m) => m.method === k.id));
    fill(adding, addable.length
      ? h('button', { type: 'button', onclick: () => fill(adding, addForm(addable)) }, '+ Add Contact Method')
      : h('p.muted', {}, 'Every kind of contact method is set.'));
  }

  function addForm(addable) {
    const kind = h('select', { name: 'method' }, h('option', { value: '' }, 'Select Contact Method'),
      addable.map((k) => h('option', { value: k.id }, k.name)));
    const value = h('input', { name: 'value', autocomplete: 'off' });
    const wait = h('input', { name: 'wait_minutes', type: 'number', min: 0, max: 60, value: 0 });
    const retries = h('input', { name: 'retries', type: 'number', min: 0, max: 10, value: 0 });
    kind.addEventListener('change', () => {
      const shape = addable.find((k) => k.id === kind.value)?.value;
      value.type = shape === 'email' ? 'email' : 'tel';
      value.placeholder = shape === 'email' ? 'name@example.com' : '+1 404 555 0101';
    });
    const form = h('form', { novalidate: true }, field('Contact Method', kind), field('Value', value),
      field('Wait (minutes)', wait), field('Retries', retries),
      h('div.actions', {}, h('button', { type: 'button', onclick: draw }, 'Cancel'), h('button.primary', { type: 'submit' }, 'Add')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      c.ok();
      try {
        await api('POST', base, { method: kind.value, value: value.value.trim(), wait_minutes: Number(wait.value), retries: Number(retries.value) });
        reload();
      } catch (error) {
        showProblem(c.el, problemOf(error));
      }
    });
    queueMicrotask(() => kind.focus());
    return form;
  }

  const adding = h('div.adding');
  draw();
  fill(c.body, list, said, adding);
  return c.el;
}
