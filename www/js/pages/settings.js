// Settings: SQL warehouse, performance, storage pricing and the audit
// catalog (PATCH /api/config/*, POST /api/config/audit), and the theme.
import { get, patch, post } from '../api.js';
import { h, clear, field, errorBox, note, busy, select, announce } from '../ui.js';

export async function render(main, ctx) {
  const cfgMsg = h('div');
  main.append(h('h1', null, 'Settings'), cfgMsg);
  let cfg = {};
  try {
    const r = await get('/api/config', { signal: ctx.signal });
    cfg = (r && (r.config || r)) || {};
  } catch (err) {
    if (err.name === 'AbortError') return;
    clear(cfgMsg, errorBox(err, 'Current settings'));
  }
  const val = (...keys) => {
    for (const k of keys) if (cfg[k] !== undefined && cfg[k] !== null) return cfg[k];
    return '';
  };

  // One card per settings group: a form, its own message area.
  function card(id, title, intro, fields, submit) {
    const out = h('div', { 'aria-live': 'polite' });
    const btn = h('button', { type: 'submit', class: 'btn' }, 'Save');
    const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': id },
      h('h2', { id }, title), intro ? h('p', { class: 'muted' }, intro) : null, fields, h('div', { class: 'actions' }, btn), out);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
      busy(btn, out, async () => {
        const res = await submit();
        if (res === false) return; // bad() has said what to fix
        clear(out, note('ok', `${title}: saved`));
        announce(`${title} saved`);
      }, 'Saving…').then(() => {
        const f = out.querySelector('.alert-error') && form.querySelector('[aria-invalid="true"]');
        if (f) f.focus();
      });
    });
    return { form, out };
  }
  const bad = (out, input, text) => { input.setAttribute('aria-invalid', 'true'); clear(out, note('error', text)); input.focus(); return false; };
  const intOrEmpty = (input) => (input.value === '' ? undefined : Number(input.value));

  // Warehouse: a list when the server can list them, else free text.
  const wh = h('input', { type: 'text', name: 'warehouse_id', value: val('sql_warehouse_id', 'warehouse_id'), spellcheck: 'false' });
  let whCtl = wh; // the text box, or the picker that replaces it
  const whField = field('SQL warehouse ID', wh, 'Statements run on this warehouse unless a request names another.');
  const w = card('set-wh', 'SQL warehouse', null, [whField], async () => {
    const id = (whCtl.value || '').trim();
    if (!id) return bad(w.out, whCtl, 'Choose or enter a warehouse ID');
    await patch('/api/config/warehouse', { warehouse_id: id }, { signal: ctx.signal });
    return true;
  });
  // A picker when the server can list warehouses; free text otherwise.
  try {
    const list = await get('/api/auth/warehouses', { signal: ctx.signal });
    const items = Array.isArray(list) ? list : list.warehouses || [];
    if (items.length) {
      const cur = wh.value;
      const opts = items.map((x) => [x.id, `${x.name || x.id} (${x.state || 'unknown'})`]);
      if (!cur) opts.unshift(['', 'Not set: the workspace default']);
      else if (!items.some((x) => x.id === cur)) opts.unshift([cur, `${cur} (not listed)`]);
      const sel = select(opts, { name: 'warehouse_id', id: wh.id });
      sel.value = cur;
      sel.setAttribute('aria-describedby', wh.getAttribute('aria-describedby'));
      wh.replaceWith(sel);
      whCtl = sel;
    }
  } catch (err) {
    if (err.name === 'AbortError') return;
    /* free text stays */
  }

  const mw = h('input', { type: 'number', min: 1, step: 1, name: 'max_workers', value: val('max_workers') });
  const pt = h('input', { type: 'number', min: 1, step: 1, name: 'parallel_tables', value: val('parallel_tables') });
  const mq = h('input', { type: 'number', min: 1, step: 1, name: 'max_parallel_queries', value: val('max_parallel_queries') });
  const p = card('set-perf', 'Performance', 'Defaults for new clones; a clone request can override them.',
    [h('div', { class: 'row' }, field('Schemas in parallel', mw), field('Tables in parallel', pt), field('Concurrent statements', mq))], async () => {
      const body = {};
      for (const [k, input] of [['max_workers', mw], ['parallel_tables', pt], ['max_parallel_queries', mq]]) {
        const n = intOrEmpty(input);
        if (n === undefined) continue;
        if (!Number.isInteger(n) || n < 1) return bad(p.out, input, 'Use whole numbers of at least 1');
        body[k] = n;
      }
      if (!Object.keys(body).length) return bad(p.out, mw, 'Enter at least one value');
      await patch('/api/config/performance', body, { signal: ctx.signal });
      return true;
    });

  const price = h('input', { type: 'number', min: 0, step: 'any', name: 'price_per_gb', value: val('price_per_gb') });
  const cur = h('input', { type: 'text', name: 'currency', value: val('currency') || 'USD', maxlength: 3, size: 4 });
  const pr = card('set-price', 'Storage pricing', 'Used for cost estimates.',
    [h('div', { class: 'row' }, field('Price per GB-month', price), field('Currency (ISO 4217)', cur))], async () => {
      const body = {};
      if (price.value !== '') {
        const n = Number(price.value);
        if (!(n >= 0)) return bad(pr.out, price, 'The price must be 0 or more');
        body.price_per_gb = n;
      }
      const c = cur.value.trim().toUpperCase();
      if (c && !/^[A-Z]{3}$/.test(c)) return bad(pr.out, cur, 'Use a three-letter currency code such as USD');
      if (c) body.currency = c;
      await patch('/api/config/pricing', body, { signal: ctx.signal });
      return true;
    });

  const ac = h('input', { type: 'text', name: 'audit_catalog', value: val('audit_catalog') || (cfg.audit && cfg.audit.catalog) || 'clone_audit', spellcheck: 'false' });
  const as = h('input', { type: 'text', name: 'audit_schema', value: val('audit_schema') || (cfg.audit && cfg.audit.schema) || 'logs', spellcheck: 'false' });
  const au = card('set-audit', 'Audit catalog', 'Where the audit trail and run logs are written.',
    [h('div', { class: 'row' }, field('Catalog', ac), field('Schema', as))], async () => {
      if (!ac.value.trim()) return bad(au.out, ac, 'Enter the audit catalog name');
      if (!as.value.trim()) return bad(au.out, as, 'Enter the audit schema name');
      await post('/api/config/audit', { catalog: ac.value.trim(), schema: as.value.trim() }, { signal: ctx.signal });
      return true;
    });

  const themeSel = select([['system', 'Follow the system'], ['light', 'Light'], ['dark', 'Dark']], { name: 'theme', value: localStorage.getItem('clxs-theme') || 'system' });
  themeSel.addEventListener('change', () => {
    if (themeSel.value === 'system') localStorage.removeItem('clxs-theme');
    else localStorage.setItem('clxs-theme', themeSel.value);
    window.dispatchEvent(new Event('clxs-theme'));
  });
  main.append(w.form, p.form, pr.form, au.form,
    h('section', { class: 'card', 'aria-labelledby': 'set-ui' }, h('h2', { id: 'set-ui' }, 'Appearance'), field('Theme', themeSel)),
    h('section', { class: 'card', 'aria-labelledby': 'set-docs' }, h('h2', { id: 'set-docs' }, 'API'),
      h('p', null, 'The REST API reference is at ', h('a', { href: '/docs' }, '/docs'), '; the OpenAPI document at ', h('a', { href: '/api/openapi.json' }, '/api/openapi.json'), '.')));
}
