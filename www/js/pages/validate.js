// Validate: row counts (and optionally checksums) of every table in two
// catalogs (POST /api/validate).
import { post, resultOf } from '../api.js';
import { h, clear, errorBox, note, loading, renderAny, checkbox, announce, stats, table, badge } from '../ui.js';
import { pairForm } from './pair.js';

export async function render(main, ctx) {
  const btn = h('button', { type: 'submit', class: 'btn' }, 'Validate');
  const cs = checkbox('Compare checksums too (slower; catches changed values that counts miss)', { name: 'use_checksum' });
  const { form, values } = await pairForm(ctx, { extra: [cs.el], buttons: [btn] });
  const out = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', null, 'Validate'), form, out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values();
    if (!v) return;
    btn.disabled = true;
    clear(out, h('div', { class: 'card' }, loading('Validating…')));
    try {
      const r = await resultOf(await post('/api/validate', { ...v, use_checksum: cs.input.checked }, { signal: ctx.signal }), { signal: ctx.signal });
      clear(out, view(r));
      announce('Validation finished');
    } catch (err) {
      clear(out, errorBox(err, 'Validation'));
    } finally {
      btn.disabled = false;
    }
  });
}

function view(r) {
  const tables = Array.isArray(r.tables) ? r.tables : null;
  const bad = (r.mismatched || 0) + (r.errors || 0);
  const head = bad === 0 ? note('ok', 'The destination matches the source') : note('error', `${bad} table${bad === 1 ? '' : 's'} differ`, 'Re-run the clone for these tables, or look at them in Diff.');
  const rest = { ...r };
  delete rest.tables;
  return h('section', { class: 'card', 'aria-labelledby': 'val-h' }, h('h2', { id: 'val-h' }, 'Result'), head,
    stats([['Tables', r.total ?? (tables ? tables.length : '')], ['Matched', r.matched ?? ''], ['Mismatched', r.mismatched ?? ''], ['Errors', r.errors ?? '']].filter(([, x]) => x !== '')),
    tables ? table([
      ['Table', (t) => t.table || t.name],
      ['Source rows', (t) => t.source_count ?? t.source_rows, { num: true }],
      ['Destination rows', (t) => t.dest_count ?? t.destination_count ?? t.dest_rows, { num: true }],
      ['Status', (t) => badge(t.status)],
      ['Detail', (t) => t.error || t.reason || ''],
    ], tables, { caption: 'Tables', tall: true }) : renderAny(rest));
}
