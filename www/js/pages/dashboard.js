// Dashboard: service health, recent jobs, catalog health, quick actions
// (including generating the demo catalog on a fresh install).
import { get, post, seg, waitJob, TERMINAL } from '../api.js';
import { h, clear, field, errorBox, note, loading, table, badge, fmtTime, busy, announce } from '../ui.js';

export function jobLink(j) {
  return h('a', { href: `#/jobs/${encodeURIComponent(j.job_id)}` }, j.job_id);
}

export function jobWhat(j) {
  const p = j.params && j.params.request ? j.params.request : j.params || {};
  const src = j.source_catalog || p.source_catalog || p.catalog_name || p.catalog;
  const dst = j.destination_catalog || p.destination_catalog;
  return dst ? `${src} → ${dst}` : src || '';
}

// The job's kind as a person would say it: "clone (dry run)".
export function jobType(j) {
  const p = j.params && j.params.request ? j.params.request : j.params || {};
  return `${(j.job_type || 'clone').replace(/_/g, ' ')}${p.dry_run ? ' (dry run)' : ''}`;
}

export function pct(p) {
  if (!p || !p.total) return '';
  return `${Math.floor((100 * (p.completed || 0)) / p.total)}%`;
}

export async function render(main, ctx) {
  const jobsBox = h('div', null, loading('Loading recent jobs…'));
  const healthBox = h('div', null, loading('Loading catalog health…'));
  const svc = h('p', { class: 'muted' }, 'Checking the service…');
  const demoOut = h('div', { 'aria-live': 'polite' });
  const demoName = h('input', { type: 'text', name: 'demo_catalog', value: 'demo', spellcheck: 'false', autocomplete: 'off' });
  const demoBtn = h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Generate demo catalog');
  const demoForm = h('form', { novalidate: true }, field('Demo catalog name', demoName, 'Builds a small catalog with bronze/silver/gold schemas to try clones on.'), demoBtn, demoOut);

  main.append(
    h('h1', null, 'Dashboard'), svc,
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'qa-h' }, h('h2', { id: 'qa-h' }, 'Quick actions'),
        h('div', { class: 'actions', style: 'margin-top:0' },
          h('a', { class: 'btn', href: '#/clone' }, 'New clone'),
          h('a', { class: 'btn btn-secondary', href: '#/explorer' }, 'Explore catalogs'),
          h('a', { class: 'btn btn-secondary', href: '#/diff' }, 'Compare catalogs')),
        h('hr', { style: 'border:0;border-top:1px solid var(--border);margin:1rem 0' }), demoForm),
      h('section', { class: 'card', 'aria-labelledby': 'ch-h' }, h('h2', { id: 'ch-h' }, 'Catalog health'), healthBox)),
    h('section', { class: 'card', 'aria-labelledby': 'rj-h' }, h('h2', { id: 'rj-h' }, 'Recent jobs'), jobsBox));

  demoForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = demoName.value.trim();
    if (!name) {
      demoName.setAttribute('aria-invalid', 'true');
      clear(demoOut, note('error', 'Enter a catalog name'));
      return;
    }
    demoName.removeAttribute('aria-invalid');
    busy(demoBtn, demoOut, async () => {
      const r = await post('/api/generate/demo-data', { catalog_name: name });
      if (r && r.job_id) {
        const line = h('p', { role: 'status' }, 'Generating… ', h('a', { href: `#/jobs/${encodeURIComponent(r.job_id)}` }, 'open the job'));
        clear(demoOut, line);
        const job = await waitJob(`/api/jobs/${seg(r.job_id)}`, { signal: ctx.signal });
        if (job.status === 'completed') {
          clear(demoOut, note('ok', `Demo catalog "${name}" is ready`, h('p', null, h('a', { href: '#/explorer' }, 'Explore it'), ' or ', h('a', { href: `#/clone?source=${encodeURIComponent(name)}` }, 'clone it'), '.')));
          announce(`Demo catalog ${name} is ready`);
        } else {
          clear(demoOut, note('error', `Generating the demo catalog ${job.status}`, job.error || 'See the job log for details.'));
        }
      } else {
        clear(demoOut, note('ok', `Demo catalog "${name}" is ready`));
      }
      loadJobs();
    }, 'Submitting…');
  });

  async function loadJobs() {
    try {
      let jobs;
      try {
        jobs = await get('/api/jobs?limit=10', { signal: ctx.signal });
      } catch (err) {
        if (!err.unavailable) throw err;
        jobs = (await get('/api/clone/jobs', { signal: ctx.signal })).slice(0, 10);
      }
      clear(jobsBox, table([
        ['Job', jobLink],
        ['Type', jobType],
        ['What', jobWhat],
        ['Status', (j) => badge(j.status)],
        ['Progress', (j) => pct(j.progress)],
        ['Created', (j) => fmtTime(j.created_at)],
      ], jobs, { caption: 'Recent jobs', empty: 'No jobs yet. Start one with New clone.' }),
      h('p', null, h('a', { href: '#/jobs' }, 'All jobs')));
      return jobs;
    } catch (err) {
      clear(jobsBox, errorBox(err, 'Recent jobs'));
      return [];
    }
  }

  async function loadHealth() {
    try {
      const r = await get('/api/catalog-health', { signal: ctx.signal });
      const rows = Array.isArray(r) ? r : r.catalogs || [];
      clear(healthBox, table([
        ['Catalog', (c) => c.catalog || c.name],
        ['Score', (c) => c.score, { num: true }],
        ['Succeeded', (c) => c.succeeded, { num: true }],
        ['Failed', (c) => c.failed, { num: true }],
        ['Last operation', (c) => fmtTime(c.last_operation)],
      ], rows, { caption: 'Catalog health', empty: 'No operations recorded yet.' }));
    } catch (err) {
      clear(healthBox, errorBox(err, 'Catalog health'));
    }
  }

  get('/api/health', { signal: ctx.signal }).then((hl) => {
    svc.textContent = `Service: ${hl.status === 'ok' ? 'healthy' : hl.status}${hl.runtime ? ` · runtime ${hl.runtime}` : ''}${hl.version ? ` · version ${hl.version}` : ''}`;
  }).catch((err) => { if (err.name !== 'AbortError') svc.textContent = `Service: ${err.message}`; });

  await Promise.all([loadJobs(), loadHealth()]);
  // Keep the list fresh while jobs run; stop when nothing is running.
  const timer = setInterval(async () => {
    if (document.hidden) return;
    const rows = jobsBox.querySelectorAll('.badge');
    if ([...rows].some((b) => !TERMINAL.has(b.textContent))) await loadJobs();
  }, 3000);
  return () => clearInterval(timer);
}
