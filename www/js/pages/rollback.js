// Rollback: the rollback points clones recorded (GET /api/rollback/logs)
// and undoing one (POST /api/rollback): tables that existed are restored
// to their recorded version, objects the clone created are dropped.
import { get, post, resultOf } from '../api.js';
import { h, clear, errorBox, note, loading, table, fmtTime, renderAny, confirmDialog, checkbox, announce, badge } from '../ui.js';

export async function render(main, ctx) {
  const box = h('section', { class: 'card', 'aria-label': 'Rollback points' }, loading('Loading rollback points…'));
  const out = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', null, 'Rollback'),
    h('p', { class: 'muted' }, 'Each clone with rollback enabled records a rollback point before it changes anything.'),
    out, box);
  const want = ctx.query.get('id');
  const idOf = (r) => r.rollback_id || r.log_file;

  async function load() {
    let rows;
    try {
      const r = await get('/api/rollback/logs', { signal: ctx.signal });
      rows = Array.isArray(r) ? r : r.logs || r.items || [];
    } catch (err) {
      if (err.name !== 'AbortError') clear(box, errorBox(err, 'Rollback points'));
      return;
    }
    clear(box, table([
      ['Rollback point', (r) => h('code', null, idOf(r))],
      ['Destination', (r) => r.destination_catalog || r.catalog || ''],
      ['Recorded', (r) => fmtTime(r.timestamp || r.created_at)],
      ['Tables', (r) => (r.table_versions ? Object.keys(r.table_versions).length : ''), { num: true }],
      ['Mode', (r) => r.restore_mode],
      ['Source', (r) => r.source_catalog || ''],
      ['Status', (r) => (r.rolled_back_at || r.rollback_status ? h('span', null, badge(r.rollback_status || 'rolled_back'), ' ', fmtTime(r.rolled_back_at)) : 'available')],
      ['', (r) => {
        // A point already rolled back successfully has nothing left to undo.
        const used = Boolean(r.rolled_back_at) && (r.rollback_status || 'completed') === 'completed';
        return h('button', { type: 'button', class: idOf(r) === want && !used ? 'btn btn-sm btn-danger' : 'btn btn-sm btn-secondary',
          'aria-label': `${used ? 'Rolled back' : 'Roll back'} ${idOf(r)}`, 'data-rollback-id': idOf(r), disabled: used, onclick: () => rollback(r) }, used ? 'Rolled back' : 'Roll back');
      }],
    ], rows, { caption: 'Rollback points', tall: true, empty: 'No rollback points yet.' }));
    if (want && !rows.some((r) => idOf(r) === want)) {
      box.prepend(note('warn', `Rollback point ${want} is not in the list`, 'It may already have been used or removed.'));
    }
  }

  async function rollback(r) {
    const drop = checkbox('Also drop the whole destination catalog', { name: 'drop_catalog' });
    const body = h('div', null,
      h('p', null, `This undoes the clone recorded as ${idOf(r)}: tables it replaced go back to their recorded version, and objects it created are dropped.`),
      drop.el);
    const ok = await confirmDialog('Roll back this clone?', body, 'Roll back', true);
    if (!ok) return;
    clear(out, h('div', { class: 'card' }, loading('Rolling back…')));
    try {
      const req = { log_file: r.log_file || r.rollback_id };
      if (drop.input.checked) req.drop_catalog = true;
      const res = await resultOf(await post('/api/rollback', req, { signal: ctx.signal }), { signal: ctx.signal });
      clear(out, h('section', { class: 'card', id: 'rollback-result', 'aria-labelledby': 'rb-h' }, h('h2', { id: 'rb-h' }, 'Rolled back'), note('ok', `Rollback of ${idOf(r)} finished`), renderAny(res)));
      announce('Rollback finished');
      load();
    } catch (err) {
      clear(out, errorBox(err, 'Rollback'));
    }
  }

  await load();
}
