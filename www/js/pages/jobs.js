// Jobs: the list, and one job's page with live progress. Progress comes
// over the WebSocket /api/clone/ws/{job_id}; when the socket cannot be
// opened or drops, the page polls GET /api/clone/{job_id} instead, so a
// proxy without WebSocket support still shows progress.
import { get, del, seg, TERMINAL } from '../api.js';
import { h, clear, errorBox, note, loading, table, badge, fmtTime, kv, stats, select, field, announce, confirmDialog } from '../ui.js';
import { jobLink, jobWhat, jobType, pct } from './dashboard.js';
import { planView } from './clone.js';

export async function render(main, ctx) {
  if (ctx.args[0]) return renderJob(main, ctx, ctx.args[0]);
  return renderList(main, ctx);
}

async function renderList(main, ctx) {
  const typeSel = select([['', 'All types'], ['clone', 'Clone'], ['demo_data', 'Demo data'], ['sync', 'Sync'], ['validate', 'Validate']], { name: 'job_type' });
  const box = h('section', { class: 'card', 'aria-label': 'Job list' }, loading('Loading jobs…'));
  main.append(h('h1', null, 'Jobs'), h('div', { class: 'row' }, field('Type', typeSel)), box);
  async function load() {
    try {
      const t = typeSel.value;
      let jobs;
      try {
        jobs = await get(`/api/jobs?limit=200${t ? `&job_type=${encodeURIComponent(t)}` : ''}`, { signal: ctx.signal });
      } catch (err) {
        if (!err.unavailable) throw err;
        jobs = await get('/api/clone/jobs', { signal: ctx.signal });
      }
      clear(box, table([
        ['Job', jobLink],
        ['Type', jobType],
        ['What', jobWhat],
        ['Status', (j) => badge(j.status)],
        ['Progress', (j) => (j.progress && j.progress.total ? `${j.progress.completed}/${j.progress.total} (${pct(j.progress)})` : '')],
        ['Created', (j) => fmtTime(j.created_at)],
        ['Finished', (j) => fmtTime(j.completed_at)],
      ], jobs, { caption: 'Jobs', empty: 'No jobs yet.' }));
      return jobs;
    } catch (err) {
      if (err.name !== 'AbortError') clear(box, errorBox(err, 'Jobs'));
      return [];
    }
  }
  typeSel.addEventListener('change', load);
  let jobs = await load();
  const timer = setInterval(async () => {
    if (!document.hidden && jobs.some((j) => !TERMINAL.has(j.status))) jobs = await load();
  }, 2500);
  return () => clearInterval(timer);
}

// --- one job -------------------------------------------------------------------
async function renderJob(main, ctx, id) {
  const title = h('h1', null, `Job ${id}`);
  const head = h('div', { class: 'card' }, loading('Loading the job…'));
  const progressBox = h('div', { class: 'card' });
  const resultBox = h('div');
  const logsPre = h('pre', { class: 'logs', tabindex: '0', 'aria-label': 'Job log' });
  const liveNote = h('p', { class: 'muted', id: 'live-mode' });
  const msg = h('div', { 'aria-live': 'polite' });
  main.append(title, msg, head, progressBox,
    h('section', { class: 'card', 'aria-labelledby': 'log-h' }, h('h2', { id: 'log-h' }, 'Log'), liveNote, logsPre),
    resultBox);

  let job = null;
  let isClone = true;
  let ws = null;
  let pollTimer = null;
  let pingTimer = null;
  let stopped = false;
  let lastStatus = '';

  // The generic job endpoint says what kind of job this is; clone jobs are
  // then followed on their own endpoint (the one the WebSocket mirrors).
  let kindKnown = false;
  let params = null; // the request, which the clone endpoint does not repeat
  async function fetchJob() {
    if (!kindKnown) {
      try {
        const j = await get(`/api/jobs/${seg(id)}`, { signal: ctx.signal });
        kindKnown = true;
        isClone = (j.job_type || 'clone') === 'clone';
        params = j.params || null;
        if (!isClone) return j;
      } catch (err) {
        if (!err.unavailable) throw err;
        kindKnown = true;
      }
    }
    return isClone ? get(`/api/clone/${seg(id)}`, { signal: ctx.signal }) : get(`/api/jobs/${seg(id)}`, { signal: ctx.signal });
  }

  async function refresh() {
    try {
      job = await fetchJob();
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (!job) { clear(head, errorBox(err, 'This job')); stop(); return; }
      clear(msg, errorBox(err, 'Could not refresh the job'));
      return;
    }
    draw();
    if (TERMINAL.has(job.status)) stop();
  }

  function draw() {
    const j = job;
    const req = ((j.params || params) && (j.params || params).request) || {};
    const src = j.source_catalog || req.source_catalog;
    const dst = j.destination_catalog || req.destination_catalog;
    const running = !TERMINAL.has(j.status);
    const cancel = running ? h('button', { type: 'button', class: 'btn btn-danger', onclick: onCancel }, j.status === 'cancelling' ? 'Cancelling…' : 'Cancel job') : null;
    if (cancel && j.status === 'cancelling') cancel.disabled = true;
    title.textContent = src && dst ? `Clone ${src} → ${dst}` : `Job ${j.job_id}`;
    clear(head,
      kv([
        ['Job ID', h('code', null, j.job_id)], ['Type', j.job_type || 'clone'], ['Status', badge(j.status)],
        ['Clone type', j.clone_type || req.clone_type], ['Dry run', req.dry_run ? 'yes' : null],
        ['Created', fmtTime(j.created_at)], ['Started', fmtTime(j.started_at)], ['Finished', fmtTime(j.completed_at)],
      ]),
      j.error ? note('error', 'The job failed', String(j.error)) : null,
      h('div', { class: 'actions' }, cancel, h('a', { class: 'btn btn-ghost', href: '#/jobs' }, 'All jobs')));
    const p = j.progress || {};
    const total = p.total || 0;
    const done = p.completed || 0;
    const percent = total ? Math.floor((100 * done) / total) : (j.status === 'completed' ? 100 : 0);
    const bar = h('progress', { id: 'job-progress', max: 100, value: percent, 'aria-label': 'Job progress', 'aria-valuetext': `${percent}%` });
    clear(progressBox, h('h2', null, 'Progress'),
      h('div', { class: 'progress-line' }, h('span', { id: 'job-percent' }, `${percent}%`), h('span', null, total ? `${done} of ${total} statements` : running ? 'Waiting for the plan…' : '')),
      bar);
    if (Array.isArray(j.logs)) logsPre.textContent = j.logs.join('\n');
    if (!logsPre.textContent) logsPre.textContent = running ? 'No log lines yet.' : 'No log lines.';
    drawResult();
    if (lastStatus && lastStatus !== j.status) announce(`Job ${j.status}`);
    lastStatus = j.status;
  }

  function drawResult() {
    const j = job;
    const r = j.result;
    if (!r) { clear(resultBox); return; }
    const req = ((j.params || params) && (j.params || params).request) || {};
    const src = j.source_catalog || req.source_catalog;
    const dst = j.destination_catalog || req.destination_catalog;
    if (Array.isArray(r.statements) && !Array.isArray(r.objects)) {
      clear(resultBox, h('section', { class: 'card', 'aria-labelledby': 'res-h' }, h('h2', { id: 'res-h' }, 'Dry-run plan'), planView(r)));
      return;
    }
    const objects = Array.isArray(r.objects) ? r.objects : [];
    const statusSel = select([['', 'All outcomes'], ['cloned', 'Cloned'], ['failed', 'Failed'], ['skipped', 'Skipped'], ['not_run', 'Not run']], { name: 'outcome' });
    const tbl = h('div');
    const drawObjects = () => clear(tbl, table([
      ['Type', (o) => o.object_type], ['Object', (o) => o.object], ['Outcome', (o) => badge(o.status)],
      ['Detail', (o) => o.error || o.reason || ''],
    ], objects.filter((o) => !statusSel.value || o.status === statusSel.value), { caption: 'Per-object outcomes', tall: true, empty: 'No objects with this outcome.' }));
    statusSel.addEventListener('change', drawObjects);
    drawObjects();
    const q = src && dst ? `?source=${encodeURIComponent(src)}&dest=${encodeURIComponent(dst)}` : '';
    const links = h('div', { class: 'actions' },
      q ? h('a', { class: 'btn btn-secondary', href: `#/diff${q}` }, 'Diff source and destination') : null,
      q ? h('a', { class: 'btn btn-secondary', href: `#/validate${q}` }, 'Validate') : null,
      r.rollback_id ? h('a', { class: 'btn btn-secondary', href: `#/rollback?id=${encodeURIComponent(r.rollback_id)}` }, 'Roll back') : null);
    clear(resultBox, h('section', { class: 'card', 'aria-labelledby': 'res-h' }, h('h2', { id: 'res-h' }, 'Result'),
      stats([
        ['Tables cloned', r.tables_cloned ?? 0], ['Tables failed', r.tables_failed ?? 0],
        ['Objects failed', r.objects_failed ?? 0], ['Objects skipped', r.objects_skipped ?? 0],
        ['Statements', r.statements_total !== undefined ? `${r.statements_succeeded ?? 0}/${r.statements_total}` : ''],
        ['Duration', r.duration_ms !== undefined ? `${(r.duration_ms / 1000).toFixed(1)} s` : ''],
      ].filter(([, v]) => v !== '')),
      r.validation ? note(r.validation.mismatched || r.validation.errors ? 'warn' : 'ok', 'Validation',
        `${r.validation.matched ?? '?'} matched, ${r.validation.mismatched ?? 0} mismatched, ${r.validation.errors ?? 0} errors.`) : null,
      r.rollback_id ? h('p', null, 'Rollback point: ', h('code', null, r.rollback_id)) : null,
      links,
      objects.length ? h('div', null, h('h3', null, 'Per-object outcomes'), field('Show', statusSel), tbl) : null));
  }

  async function onCancel(e) {
    const ok = await confirmDialog('Cancel this job?', 'Statements already run stay applied; the rollback point (if recorded) can undo them.', 'Cancel job', true);
    if (!ok) return;
    const btn = e.target;
    btn.disabled = true;
    try {
      const r = await del(isClone ? `/api/clone/${seg(id)}` : `/api/jobs/${seg(id)}`, { signal: ctx.signal });
      clear(msg, note('ok', r.status === 'cancelled' ? 'Job cancelled' : 'Cancellation requested', 'The job stops at its next checkpoint.'));
      announce('Cancellation requested');
      refresh();
    } catch (err) {
      btn.disabled = false;
      clear(msg, errorBox(err, 'Could not cancel the job'));
    }
  }

  // --- live updates ------------------------------------------------------------
  function startPolling(why) {
    if (stopped || pollTimer) return;
    liveNote.textContent = why;
    pollTimer = setInterval(() => { if (!document.hidden) refresh(); }, 1000);
  }

  function startSocket() {
    if (!isClone || !('WebSocket' in window)) { startPolling('Updating every second.'); return; }
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/clone/ws/${seg(id)}`;
    let opened = false;
    let refreshQueued = false;
    try {
      ws = new WebSocket(url);
    } catch {
      startPolling('Live updates are unavailable; updating every second.');
      return;
    }
    ws.addEventListener('open', () => {
      opened = true;
      liveNote.textContent = 'Live updates connected.';
      pingTimer = setInterval(() => { if (ws && ws.readyState === 1) ws.send('ping'); }, 20000);
    });
    ws.addEventListener('message', (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      if (!m || typeof m !== 'object') return;
      applyEvent(m);
      // The event carries the news; one GET brings the full picture
      // (per-object outcomes, logs), at most a few times a second.
      if (!refreshQueued) {
        refreshQueued = true;
        setTimeout(() => { refreshQueued = false; if (!stopped) refresh(); }, 300);
      }
    });
    ws.addEventListener('close', () => {
      clearInterval(pingTimer);
      ws = null;
      if (stopped) return;
      if (job && TERMINAL.has(job.status)) return;
      startPolling(opened ? 'Live connection closed; updating every second.' : 'Live updates are unavailable; updating every second.');
      refresh();
    });
  }

  // Apply what a socket message says right away, so the bar moves without
  // waiting for the follow-up GET.
  function applyEvent(m) {
    if (!job) return;
    if (m.type === 'pong') return;
    if (m.type === 'error') {
      clear(msg, note('warn', 'Live updates stopped', m.message || 'The progress stream reported an error.'));
      return;
    }
    const p = m.progress || (m.type === 'progress' ? m : null);
    if (p && typeof p.total === 'number') job.progress = { completed: p.completed || 0, total: p.total };
    if (typeof m.status === 'string') job.status = m.status;
    if (m.result && typeof m.result === 'object') job.result = m.result;
    if (m.error) job.error = m.error;
    if (m.type === 'log' && typeof m.message === 'string') {
      job.logs = Array.isArray(job.logs) ? [...job.logs, m.message] : [m.message];
    }
    draw();
  }

  function stop() {
    stopped = true;
    clearInterval(pollTimer);
    clearInterval(pingTimer);
    pollTimer = null;
    if (ws) { try { ws.close(); } catch { /* already closed */ } ws = null; }
    if (job && TERMINAL.has(job.status)) liveNote.textContent = `The job is ${job.status}.`;
  }

  await refresh();
  if (job && !TERMINAL.has(job.status)) startSocket();
  return stop;
}
