// DOM building without innerHTML: every value a user typed goes in as text, never as markup.

/** h('button.primary', {type: 'button', onclick}, 'Save') builds an element. */
export function h(spec, attrs = {}, ...children) {
  if (attrs instanceof Node || typeof attrs !== 'object' || Array.isArray(attrs)) {
    // No attributes given: the second argument is the first child.
    children.unshift(attrs);
    attrs = {};
  }
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== 'string') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
/** A fresh id for label/description wiring. */
export const uid = (prefix) => `${prefix}-${++ids}`;

/** A labelled form field with room for its inline error. */
export function field(label, input, { hint } = {}) {
  input.id ||= uid('f');
  const error = h('p.error', { id: uid('e'), hidden: true });
  input.setAttribute('aria-describedby', error.id);
  return h('div.field', { dataset: { field: input.name || '' } },
    h('label', { for: input.id }, label), input,
    hint ? h('p.hint', {}, hint) : null, error);
}

/** Shows `message` under the field named `name` in `form` (or clears it with null). */
export function fieldError(form, name, message) {
  const wrap = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
  if (!wrap) return false;
  const error = wrap.querySelector('.error');
  const input = wrap.querySelector('input, select, textarea');
  error.textContent = message || '';
  error.hidden = !message;
  input?.setAttribute('aria-invalid', message ? 'true' : 'false');
  return true;
}

export function clearErrors(form) {
  for (const error of form.querySelectorAll('.error')) { error.textContent = ''; error.hidden = true; }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.setAttribute('aria-invalid', 'false');
  const alert = form.querySelector('.alert');
  if (alert) { alert.textContent = ''; alert.hidden = true; }
}

/** An alert region where a refusal is shown, next to what the user did. */
export const alertBox = () => h('p.alert', { role: 'alert', hidden: true });

/**
 * Shows an API refusal where the user acted: each field error on its field when the form has
 * it; the rest, and the problem's detail when no field took it, in the alert region.
 */
export function showProblem(where, problem) {
  const form = where.tagName === 'FORM' ? where : where.querySelector('form');
  const errors = problem.errors || [];
  const loose = errors.filter(({ field: name, message }) => !(form && fieldError(form, name, message)))
    .map((e) => e.message);
  const placed = errors.length - loose.length;
  const text = [placed && !loose.length ? '' : problem.detail, ...loose].filter(Boolean).join(' ');
  const alert = where.querySelector('.alert');
  if (alert) {
    alert.textContent = text;
    alert.hidden = !text;
  } else if (text) {
    toast(text);
  }
}

let toastTimer;
/** A short, polite announcement. */
export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('shown');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('shown'), 4000);
}

/**
 * A modal "Are you sure?" <dialog>: Cancel closes it; the confirm button runs `action`, and the
 * dialog closes when it succeeds or shows the refusal inside itself when it does not.
 */
export function confirmDialog(title, body, action, { confirm = 'Delete' } = {}) {
  const heading = h('h2', { id: uid('dialog') }, title);
  const go = h('button.danger', { type: 'button' }, confirm);
  const dialog = h('dialog.confirm', { 'aria-labelledby': heading.id },
    heading, h('p', {}, body), alertBox(),
    h('div.actions', {}, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'), go));
  go.addEventListener('click', async () => {
    go.disabled = true;
    try {
      await action();
      dialog.close();
    } catch (error) {
      showProblem(dialog, problemOf(error));
    } finally {
      go.disabled = false;
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** The problem document of an API refusal, or one made from any other error. */
export const problemOf = (error) => error.problem || { detail: String(error.message || error) };

/** "2027-01-04 09:00" in the viewer's zone and locale. */
export function when(iso, zone, locale) {
  if (!iso) return '';
  try {
    return new Intl.DateTimeFormat(locale || undefined, {
      dateStyle: 'medium', timeStyle: 'short', timeZone: zone || undefined,
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

const SVG = 'http://www.w3.org/2000/svg';
const ICONS = {
  // A bin: lid, handle and body with three slats (Material-style, 24×24).
  trash: 'M9 3h6l1 1h4v2H4V4h4zM6 8h12l-1 13H7zm4 3v7h1.5v-7zm3.5 0v7H15v-7z',
};

/** An inline SVG icon (no icon font, no emoji: both depend on what the machine has). */
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}
