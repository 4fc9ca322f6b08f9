// DOM helpers shared by the pages. Everything from the server is put into
// the page as text (textContent), never parsed as HTML.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'open') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export const nextId = (p = 'id') => `${p}-${++uid}`;

export function announce(msg) {
  const a = document.getElementById('announcer');
  if (!a) return;
  a.textContent = '';
  // A new node so screen readers read repeated messages too.
  setTimeout(() => { a.textContent = msg; }, 30);
}

// A labelled form field; `control` gets an id if it has none.
export function field(label, control, help) {
  if (!control.id) control.id = nextId('f');
  const parts = [h('label', { for: control.id }, label), control];
  if (help) {
    const hid = nextId('help');
    control.setAttribute('aria-describedby', hid);
    parts.push(h('p', { class: 'help', id: hid }, help));
  }
  return h('div', { class: 'field' }, parts);
}

export function checkbox(label, attrs = {}) {
  const input = h('input', { type: 'checkbox', ...attrs });
  return { input, el: h('label', { class: 'check' }, input, label) };
}

export function select(options, attrs = {}) {
  const s = h('select', attrs);
  for (const o of options) {
    const [value, text] = Array.isArray(o) ? o : [o, o];
    s.appendChild(h('option', { value }, text));
  }
  if (attrs.value !== undefined) s.value = attrs.value;
  return s;
}

// An error from api(): what happened, and what to do about it.
export function errorBox(err, title) {
  if (err && err.name === 'AbortError') return null;
  if (err && err.unavailable) {
    return h('div', { class: 'alert alert-warn', role: 'status' },
      h('p', { class: 'alert-title' }, title ? `${title}: not available on this server` : 'Not available on this server'),
      h('p', null, err.hint || 'This server does not provide this feature.'));
  }
  const msg = err && err.message ? err.message : String(err);
  return h('div', { class: 'alert alert-error', role: 'alert' },
    h('p', { class: 'alert-title' }, title || 'Something went wrong'),
    h('p', null, msg),
    err && err.hint ? h('p', { class: 'muted' }, err.hint) : null);
}

export function note(kind, title, ...body) {
  return h('div', { class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    title ? h('p', { class: 'alert-title' }, title) : null, ...body.map((b) => (typeof b === 'string' ? h('p', null, b) : b)));
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'muted', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

const STATUS_KIND = {
  completed: 'ok', succeeded: 'ok', connected: 'ok', rolled_back: 'ok', available: 'info', ok: 'ok', cloned: 'ok', match: 'ok', matched: 'ok', passed: 'ok', success: 'ok',
  running: 'info', queued: 'info', cancelling: 'warn', pending: 'info',
  skipped: 'muted', not_run: 'muted', cancelled: 'warn', warning: 'warn',
  failed: 'bad', error: 'bad', mismatch: 'bad', missing: 'bad', extra: 'warn', not_connected: 'bad',
};
export function badge(status) {
  const s = String(status ?? 'unknown');
  return h('span', { class: `badge badge-${STATUS_KIND[s.toLowerCase()] || 'muted'}` }, s.replace(/_/g, ' '));
}

// A table; columns are [header, value(row) -> string|Node, opts].
export function table(columns, rows, { caption, tall = false, empty = 'Nothing to show.' } = {}) {
  if (!rows || rows.length === 0) return h('p', { class: 'muted' }, empty);
  const thead = h('thead', null, h('tr', null, columns.map(([title, , o]) => h('th', { scope: 'col', class: o && o.num ? 'num' : null }, title))));
  const tbody = h('tbody', null, rows.map((r) => h('tr', null, columns.map(([, fn, o]) => {
    let v;
    try { v = fn(r); } catch { v = ''; }
    return h('td', { class: o && o.num ? 'num' : null }, v instanceof Node ? v : fmt(v));
  }))));
  return h('div', { class: `table-wrap${tall ? ' tall' : ''}`, tabindex: '0', role: 'region', 'aria-label': caption || 'Table' },
    h('table', null, caption ? h('caption', { class: 'visually-hidden' }, caption) : null, thead, tbody));
}

export function fmt(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function fmtTime(v) {
  if (!v) return '';
  const d = typeof v === 'number' ? new Date(v > 1e12 ? v : v * 1000) : new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function kv(pairs) {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '') continue;
    dl.append(h('dt', null, k), h('dd', null, v instanceof Node ? v : fmt(v)));
  }
  return dl;
}

export function stats(items) {
  return h('div', { class: 'stats' }, items.map(([label, value]) =>
    h('div', null, h('div', { class: 'stat' }, fmt(value)), h('div', { class: 'label' }, label))));
}

// Run an async action from a button: disabled while it runs, errors land
// in `out`. Returns what the action returned (or undefined on error).
export async function busy(button, out, fn, text = 'Working…') {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  if (out) clear(out, loading(text));
  try {
    return await fn();
  } catch (err) {
    if (out) clear(out, errorBox(err));
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
}

// A simple confirmation dialog (native <dialog>: focus trap and Esc).
export function confirmDialog(title, body, confirmText = 'Confirm', danger = false) {
  return new Promise((resolve) => {
    const tid = nextId('dlg');
    const ok = h('button', { type: 'button', class: danger ? 'btn btn-danger' : 'btn' }, confirmText);
    const cancel = h('button', { type: 'button', class: 'btn btn-ghost' }, 'Cancel');
    const dlg = h('dialog', { class: 'modal', 'aria-labelledby': tid },
      h('h2', { id: tid }, title), body instanceof Node ? body : h('p', null, body), h('div', { class: 'actions' }, ok, cancel));
    let answer = false;
    ok.addEventListener('click', () => { answer = true; dlg.close(); });
    cancel.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => { dlg.remove(); resolve(answer); });
    document.body.appendChild(dlg);
    dlg.showModal();
    cancel.focus();
  });
}

// Catalog names for pickers; an empty list when the server cannot list them.
export async function catalogNames(get) {
  try {
    const data = await get('/api/catalogs');
    const list = Array.isArray(data) ? data : (data && (data.catalogs || data.items)) || [];
    return list.map((c) => (typeof c === 'string' ? c : c.name || c.catalog_name)).filter(Boolean);
  } catch {
    return [];
  }
}

// A text input with a datalist of suggestions (catalog pickers).
export function comboInput(attrs, suggestions) {
  const listId = nextId('dl');
  const input = h('input', { type: 'text', autocomplete: 'off', list: listId, spellcheck: 'false', ...attrs });
  const dl = h('datalist', { id: listId }, suggestions.map((s) => h('option', { value: s })));
  return { input, list: dl };
}

export function hashParams() {
  const q = location.hash.split('?')[1] || '';
  return new URLSearchParams(q);
}

// Render a JSON result whose exact shape the page does not know: scalars
// as a list of terms, arrays of records as tables, arrays of names as a
// list, nested objects as sub-sections.
export function renderAny(value, { title, depth = 0 } = {}) {
  const label = (k) => k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  if (Array.isArray(value)) {
    if (value.length === 0) return h('p', { class: 'muted' }, 'None.');
    if (value.every((v) => v === null || typeof v !== 'object')) {
      return h('ul', null, value.map((v) => h('li', null, fmt(v))));
    }
    const keys = [];
    for (const r of value) if (r && typeof r === 'object') for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
    return table(keys.map((k) => [label(k), (r) => {
      const v = r[k];
      if (typeof v === 'string' && STATUS_KIND[v.toLowerCase()] && /status|result|outcome|state/.test(k)) return badge(v);
      return fmt(v);
    }]), value, { caption: title || 'Results', tall: true });
  }
  if (value && typeof value === 'object') {
    const scalars = Object.entries(value).filter(([, v]) => v === null || typeof v !== 'object');
    const nested = Object.entries(value).filter(([, v]) => v !== null && typeof v === 'object');
    const H = depth === 0 ? 'h3' : 'h4';
    return h('div', null,
      scalars.length ? kv(scalars.map(([k, v]) => [label(k), v === null ? '—' : v])) : null,
      nested.map(([k, v]) => h('div', null, h(H, null, `${label(k)}${Array.isArray(v) ? ` (${v.length})` : ''}`), renderAny(v, { title: label(k), depth: depth + 1 }))));
  }
  return h('p', null, fmt(value));
}
