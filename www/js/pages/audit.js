// Audit trail: clone operations recorded in the audit catalog
// (GET /api/audit), one entry's run log (GET /api/audit/{job_id}/logs),
// and creating the audit tables (POST /api/audit/init).
import { get, post, seg } from '../api.js';
import { h, clear, errorBox, note, loading, table, badge, fmtTime, renderAny, busy, field } from '../ui.js';

export async function render(main, ctx) {
  const box = h('section', { class: 'card', 'aria-label': 'Audit entries' }, loading('Loading the audit trail…'));
  const detail = h('div', { 'aria-live': 'polite' });
  const filter = h('input', { type: 'search', name: 'filter', placeholder: 'catalog, status or job', autocomplete: 'off' });
  const initBtn = h('button', { type: 'button', class: 'btn btn-secondary' }, 'Create audit tables');
  const initOut = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', null, 'Audit trail'), h('div', { class: 'row' }, field('Filter', filter)), box, detail,
    h('section', { class: 'card', 'aria-labelledby': 'ai-h' }, h('h2', { id: 'ai-h' }, 'Audit tables'),
      h('p', null, 'Clone operations are recorded in Delta tables of the audit catalog (see Settings). Create them once per workspace.'),
      initBtn, initOut));
  initBtn.addEventListener('click', () => busy(initBtn, initOut, async () => {
    const r = await post('/api/audit/init', {}, { signal: ctx.signal });
    clear(initOut, note('ok', 'Audit tables are ready', h('div', null, renderAny(r.tables_created || r))));
  }, 'Creating…'));

  let rows = [];
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = q ? rows.filter((r) => JSON.stringify(r).toLowerCase().includes(q)) : rows;
    clear(box, table([
      ['Job', (r) => (r.job_id ? h('button', { type: 'button', class: 'btn btn-sm btn-ghost', onclick: () => showLogs(r.job_id), 'aria-label': `Show the run log of job ${r.job_id}` }, r.job_id) : '')],
      ['Operation', (r) => r.operation_type || r.operation || r.job_type || 'clone'],
      ['Source', (r) => r.source_catalog], ['Destination', (r) => r.destination_catalog],
      ['Status', (r) => badge(r.status)],
      ['Started', (r) => fmtTime(r.started_at)], ['Finished', (r) => fmtTime(r.completed_at)],
      ['By', (r) => r.user_name || r.user],
    ], shown, { caption: 'Audit trail', tall: true, empty: rows.length ? 'No entries match the filter.' : 'No operations recorded yet.' }));
  };
  filter.addEventListener('input', draw);

  async function showLogs(id) {
    clear(detail, h('div', { class: 'card' }, loading('Loading the run log…')));
    try {
      const r = await get(`/api/audit/${seg(id)}/logs`, { signal: ctx.signal });
      const lines = Array.isArray(r.logs) ? r.logs : Array.isArray(r.log_lines) ? r.log_lines : null;
      const rest = { ...r };
      delete rest.logs;
      delete rest.log_lines;
      clear(detail, h('section', { class: 'card', 'aria-labelledby': 'al-h' }, h('h2', { id: 'al-h' }, `Run log of ${id}`),
        renderAny(rest),
        lines ? h('pre', { class: 'logs', tabindex: '0', 'aria-label': 'Run log lines' }, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')) : null));
      const head = detail.querySelector('h2');
      head.tabIndex = -1;
      head.focus();
    } catch (err) {
      clear(detail, errorBox(err, 'Run log'));
    }
  }

  try {
    const r = await get('/api/audit', { signal: ctx.signal });
    rows = Array.isArray(r) ? r : r.entries || r.items || [];
    draw();
  } catch (err) {
    if (err.name !== 'AbortError') clear(box, errorBox(err, 'Audit trail'));
  }
}
