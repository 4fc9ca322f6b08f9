// Diff & Compare: object-level diff (POST /api/diff) and column-level
// compare (POST /api/compare) of two catalogs.
import { post, resultOf } from '../api.js';
import { h, clear, errorBox, note, loading, renderAny, announce, field } from '../ui.js';
import { pairForm } from './pair.js';

export async function render(main, ctx) {
  const diffBtn = h('button', { type: 'submit', class: 'btn', value: 'diff' }, 'Diff objects');
  const cmpBtn = h('button', { type: 'submit', class: 'btn btn-secondary', value: 'compare' }, 'Compare columns');
  const excl = h('input', { type: 'text', name: 'exclude_schemas', value: 'information_schema, default' });
  const { form, values } = await pairForm(ctx, { extra: [field('Skip schemas', excl, 'Comma separated.')], buttons: [diffBtn, cmpBtn] });
  const out = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', null, 'Diff & Compare'),
    h('p', { class: 'muted' }, 'Diff lists schemas and tables missing from or extra in the destination; Compare checks column names, types, nullability and order.'),
    form, out);
  let running = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const which = e.submitter && e.submitter.value === 'compare' ? 'compare' : 'diff';
    const v = values();
    if (!v) return;
    if (running) running.abort();
    running = new AbortController();
    const signal = running.signal;
    ctx.signal.addEventListener('abort', () => running && running.abort(), { once: true });
    const stopBtn = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => running && running.abort() }, 'Stop waiting');
    clear(out, h('div', { class: 'card' }, loading(which === 'diff' ? 'Comparing objects…' : 'Comparing columns…'), stopBtn));
    const body = { ...v, exclude_schemas: excl.value.split(',').map((s) => s.trim()).filter(Boolean) };
    try {
      const r = await resultOf(await post(`/api/${which}`, body, { signal }), { signal });
      clear(out, which === 'diff' ? diffView(r, v) : compareView(r));
      announce(`${which === 'diff' ? 'Diff' : 'Compare'} finished`);
    } catch (err) {
      if (err.name === 'AbortError') { clear(out, note('info', 'Stopped waiting', 'The server may still finish the work.')); return; }
      clear(out, errorBox(err, which === 'diff' ? 'Diff' : 'Compare'));
    }
  });
  return () => running && running.abort();
}

// missing_* / extra_* / matching_* lists, whatever object kinds the server reports.
function diffView(r, v) {
  const kinds = new Set();
  for (const k of Object.keys(r || {})) {
    const m = /^(missing|extra|matching)_(\w+)$/.exec(k);
    if (m && Array.isArray(r[k])) kinds.add(m[2]);
  }
  let differences = 0;
  for (const k of kinds) differences += (r[`missing_${k}`] || []).length + (r[`extra_${k}`] || []).length;
  const rows = [...kinds].map((k) => [k, (r[`missing_${k}`] || []), (r[`extra_${k}`] || []), (r[`matching_${k}`] || [])]);
  const summary = h('p', { id: 'diff-summary', class: 'stat', 'data-differences': String(differences) },
    differences === 0 ? 'No differences' : `${differences} difference${differences === 1 ? '' : 's'}`);
  const list = (items) => (items.length ? h('ul', null, items.map((x) => h('li', null, typeof x === 'string' ? x : JSON.stringify(x)))) : h('span', { class: 'muted' }, 'none'));
  return h('section', { class: 'card', 'aria-labelledby': 'diff-h' },
    h('h2', { id: 'diff-h' }, `${v.source_catalog} → ${v.destination_catalog}`), summary,
    kinds.size === 0 ? renderAny(r) : h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Differences by object kind' },
      h('table', null,
        h('thead', null, h('tr', null, ['Kind', 'Missing in destination', 'Extra in destination', 'Matching'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rows.map(([k, miss, extra, match]) => h('tr', null,
          h('th', { scope: 'row' }, k.replace(/_/g, ' ')), h('td', null, list(miss)), h('td', null, list(extra)), h('td', { class: 'num' }, String(match.length))))))));
}

function compareView(r) {
  return h('section', { class: 'card', 'aria-labelledby': 'cmp-h' }, h('h2', { id: 'cmp-h' }, 'Column comparison'), renderAny(r));
}
