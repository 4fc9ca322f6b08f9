// Clone wizard, four steps: source/destination; scope (all, or schemas and
// objects -> include_schemas/include_objects); options; review with the
// dry-run plan, then submit and follow the job on its page.
import { get, post, seg, waitJob } from '../api.js';
import { h, clear, field, checkbox, errorBox, note, loading, table, kv, comboInput, catalogNames, announce, nextId } from '../ui.js';

const STEPS = ['Source & destination', 'Scope', 'Options', 'Review & submit'];
const COPY = [
  ['copy_permissions', 'Permissions (grants)'], ['copy_ownership', 'Ownership'], ['copy_tags', 'Tags'],
  ['copy_properties', 'Table properties'], ['copy_security', 'Row filters and column masks'],
  ['copy_constraints', 'Constraints'], ['copy_comments', 'Comments'],
];
// Which step owns a request field, so a 422 from the server sends the
// user to the step where it can be fixed.
const FIELD_STEP = { source_catalog: 0, destination_catalog: 0, include_schemas: 1, include_objects: 1 };

export async function render(main, ctx) {
  const st = {
    step: 0,
    source: ctx.query.get('source') || '',
    dest: ctx.query.get('dest') || '',
    scope: 'all',
    schemas: new Map(), // name -> { objects: [{type,name}] | null, selected: Set('type:name'), whole: bool }
    schemaList: null,
    clone_type: 'DEEP', load_type: 'FULL',
    copy: Object.fromEntries(COPY.map(([k]) => [k, true])),
    tt: 'none', as_of_version: '', as_of_timestamp: '',
    enable_rollback: true, validate_after_clone: false, validate_checksum: false, auto_rollback_on_failure: false,
    max_workers: 4, parallel_tables: 1, max_duration_min: '', max_tables: '',
  };
  const catalogs = await catalogNames((p) => get(p, { signal: ctx.signal }));

  const stepList = h('ol', { class: 'steps', 'aria-label': 'Wizard steps' });
  const panel = h('div');
  const msg = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', null, 'Clone a catalog'), stepList, msg, panel);

  function show(n) {
    st.step = n;
    clear(stepList, STEPS.map((s, i) => h('li', { 'aria-current': i === n ? 'step' : null, class: i < n ? 'done' : null }, s)));
    clear(panel, [step1, step2, step3, step4][n]());
    const head = panel.querySelector('h2');
    if (head) { head.tabIndex = -1; head.focus(); }
  }

  function nav(onNext, nextLabel = 'Next') {
    const back = st.step > 0 ? h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => { clear(msg); show(st.step - 1); } }, 'Back') : null;
    const next = onNext ? h('button', { type: 'submit', class: 'btn' }, nextLabel) : null;
    return h('div', { class: 'actions' }, back, next);
  }

  function invalid(input, title, text) {
    input.setAttribute('aria-invalid', 'true');
    clear(msg, note('error', title, text));
    input.focus();
  }

  // --- step 1 -----------------------------------------------------------------
  function step1() {
    const src = comboInput({ name: 'source_catalog', value: st.source, required: true }, catalogs);
    const dst = comboInput({ name: 'destination_catalog', value: st.dest, required: true }, catalogs);
    const form = h('form', { class: 'card', novalidate: true },
      h('h2', null, 'Source and destination'),
      field('Source catalog', src.input, catalogs.length ? 'The catalog to copy. Start typing to pick an existing one.' : 'The catalog to copy.'), src.list,
      field('Destination catalog', dst.input, 'Created if it does not exist; existing objects in it are replaced.'), dst.list,
      nav(true));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      clear(msg);
      src.input.removeAttribute('aria-invalid');
      dst.input.removeAttribute('aria-invalid');
      const s = src.input.value.trim();
      const d = dst.input.value.trim();
      if (!s) return invalid(src.input, 'Choose a source catalog');
      if (!d) return invalid(dst.input, 'Name the destination catalog');
      if (s.toLowerCase() === d.toLowerCase()) return invalid(dst.input, 'The destination must differ from the source', 'A catalog cannot be cloned onto itself.');
      if (catalogs.length && !catalogs.includes(s)) return invalid(src.input, `There is no catalog named "${s}"`, 'Pick one of the existing catalogs.');
      if (s !== st.source) { st.schemas.clear(); st.schemaList = null; }
      st.source = s;
      st.dest = d;
      show(1);
    });
    return form;
  }

  // --- step 2 -----------------------------------------------------------------
  function step2() {
    const mk = (value, label) => h('label', { class: 'check' }, h('input', { type: 'radio', name: 'scope', value, checked: st.scope === value }), label);
    const picker = h('div', { hidden: st.scope !== 'select' });
    const form = h('form', { class: 'card', novalidate: true },
      h('h2', null, 'What to clone'),
      h('fieldset', null, h('legend', null, 'Scope'), mk('all', 'The whole catalog'), mk('select', 'Selected schemas and objects')),
      picker, nav(true));
    form.addEventListener('change', (e) => {
      if (e.target.name !== 'scope') return;
      st.scope = e.target.value;
      picker.hidden = st.scope !== 'select';
      if (st.scope === 'select') fillPicker(picker);
    });
    if (st.scope === 'select') fillPicker(picker);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      clear(msg);
      if (st.scope === 'select' && selectedSchemas().length === 0) {
        clear(msg, note('error', 'Choose at least one schema or object', 'Or pick "The whole catalog".'));
        return;
      }
      show(2);
    });
    return form;
  }

  async function fillPicker(box) {
    if (!st.schemaList) {
      clear(box, loading('Loading schemas…'));
      try {
        const d = await get(`/api/catalogs/${seg(st.source)}/schemas`, { signal: ctx.signal });
        st.schemaList = (Array.isArray(d) ? d : d.schemas || []).map((s) => (typeof s === 'string' ? s : s.name)).filter(Boolean);
      } catch (err) {
        clear(box, errorBox(err, 'Schemas'), h('p', null, 'Choose "The whole catalog" instead, or enter schema names:'),
          manualSchemas());
        return;
      }
    }
    const fs = h('fieldset', null, h('legend', null, `Schemas in ${st.source}`));
    if (!st.schemaList.length) fs.append(h('p', { class: 'muted' }, 'This catalog has no schemas to clone.'));
    for (const s of st.schemaList) fs.append(schemaRow(s));
    clear(box, fs);
  }

  function manualSchemas() {
    const input = h('input', { type: 'text', name: 'include_schemas', value: [...st.schemas.keys()].join(', ') });
    input.addEventListener('change', () => {
      st.schemas.clear();
      for (const s of input.value.split(',').map((x) => x.trim()).filter(Boolean)) st.schemas.set(s, { objects: [], selected: new Set(), whole: true });
    });
    return field('Schemas (comma separated)', input);
  }

  function schemaState(s) {
    if (!st.schemas.has(s)) st.schemas.set(s, { objects: null, selected: new Set(), whole: false });
    return st.schemas.get(s);
  }

  function schemaRow(s) {
    const state = schemaState(s);
    const cb = checkbox(s, { name: 'schema', value: s });
    const objBox = h('div', { style: 'margin-left:1.6rem', hidden: true });
    const toggle = h('button', { type: 'button', class: 'btn btn-sm btn-ghost', 'aria-expanded': 'false', 'aria-label': `Objects in ${s}` }, 'Objects');
    const objCbs = [];
    const sync = () => {
      const n = state.selected.size;
      const total = state.objects ? state.objects.length : 0;
      state.whole = state.objects ? total > 0 && n === total : state.whole;
      cb.input.checked = state.whole || (total === 0 && state.whole);
      cb.input.indeterminate = n > 0 && n < total;
    };
    const ensureObjects = async () => {
      if (state.objects) return;
      clear(objBox, loading('Loading objects…'));
      try {
        const d = await get(`/api/catalogs/${seg(st.source)}/${seg(s)}/objects`, { signal: ctx.signal });
        state.objects = [];
        for (const [key, type] of [['tables', 'table'], ['views', 'view'], ['functions', 'function'], ['volumes', 'volume']]) {
          for (const o of d[key] || []) state.objects.push({ type, name: typeof o === 'string' ? o : o.name });
        }
      } catch (err) {
        state.objects = null;
        clear(objBox, errorBox(err, 'Objects'));
        throw err;
      }
      if (state.whole) state.objects.forEach((o) => state.selected.add(`${o.type}:${o.name}`));
      drawObjects();
    };
    const drawObjects = () => {
      objCbs.length = 0;
      if (!state.objects.length) { clear(objBox, h('p', { class: 'muted' }, 'No objects.')); return; }
      clear(objBox, state.objects.map((o) => {
        const k = `${o.type}:${o.name}`;
        const c = checkbox(`${o.name} (${o.type})`, { name: 'object', value: k, checked: state.selected.has(k) });
        c.input.addEventListener('change', () => {
          if (c.input.checked) state.selected.add(k); else state.selected.delete(k);
          sync();
        });
        objCbs.push(c.input);
        return c.el;
      }));
    };
    cb.input.addEventListener('change', async () => {
      state.whole = cb.input.checked;
      try { await ensureObjects(); } catch { sync(); return; }
      state.selected = new Set(state.whole ? state.objects.map((o) => `${o.type}:${o.name}`) : []);
      objCbs.forEach((c) => { c.checked = state.whole; });
      sync();
    });
    toggle.addEventListener('click', async () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      objBox.hidden = !open;
      if (open) { try { await ensureObjects(); } catch { /* shown in objBox */ } }
    });
    if (state.objects) drawObjects();
    sync();
    return h('div', null, h('div', { class: 'row', style: 'align-items:center' }, cb.el, toggle), objBox);
  }

  function selectedSchemas() {
    return [...st.schemas.entries()].filter(([, v]) => v.whole || v.selected.size > 0).map(([k]) => k);
  }

  // --- step 3 -----------------------------------------------------------------
  function step3() {
    const radio = (name, value, label, cur) => h('label', { class: 'check' }, h('input', { type: 'radio', name, value, checked: cur === value }), label);
    const num = (name, value, min, placeholder) => h('input', { type: 'number', name, min, step: 1, value, placeholder, inputmode: 'numeric' });
    const copy = COPY.map(([k, label]) => checkbox(label, { name: k, checked: st.copy[k] }));
    const ver = num('as_of_version', st.as_of_version, 0);
    const ts = h('input', { type: 'text', name: 'as_of_timestamp', value: st.as_of_timestamp, placeholder: '2026-01-31T12:00:00Z' });
    const verField = field('Version', ver);
    const tsField = field('Timestamp', ts, 'ISO 8601, e.g. 2026-01-31T12:00:00Z');
    const ttSync = (v) => { verField.hidden = v !== 'version'; tsField.hidden = v !== 'timestamp'; };
    ttSync(st.tt);
    const val = checkbox('Validate row counts after the clone', { name: 'validate_after_clone', checked: st.validate_after_clone });
    const chk = checkbox('Also compare checksums (slower, catches changed values)', { name: 'validate_checksum', checked: st.validate_checksum });
    const rb = checkbox('Record a rollback point before changing anything', { name: 'enable_rollback', checked: st.enable_rollback });
    const arb = checkbox('Roll back automatically if the clone fails its checks', { name: 'auto_rollback_on_failure', checked: st.auto_rollback_on_failure });
    const mw = num('max_workers', st.max_workers, 1);
    const pt = num('parallel_tables', st.parallel_tables, 1);
    const md = num('max_duration_min', st.max_duration_min, 1, 'no limit');
    const mt = num('max_tables', st.max_tables, 1, 'no limit');
    const form = h('form', { class: 'card', novalidate: true },
      h('h2', null, 'Options'),
      h('div', { class: 'grid' },
        h('fieldset', null, h('legend', null, 'Clone type'),
          radio('clone_type', 'DEEP', 'Deep: copy the data', st.clone_type),
          radio('clone_type', 'SHALLOW', 'Shallow: reference the source data', st.clone_type)),
        h('fieldset', null, h('legend', null, 'Load type'),
          radio('load_type', 'FULL', 'Full: every table', st.load_type),
          radio('load_type', 'INCREMENTAL', 'Incremental: only tables changed since the last clone', st.load_type))),
      h('fieldset', null, h('legend', null, 'Copy'), h('div', { class: 'grid', style: 'gap:.1rem 1rem' }, copy.map((c) => c.el))),
      h('fieldset', null, h('legend', null, 'Time travel'),
        radio('tt', 'none', 'Latest version', st.tt), radio('tt', 'version', 'As of a table version', st.tt), radio('tt', 'timestamp', 'As of a timestamp', st.tt),
        h('div', { class: 'row' }, verField, tsField)),
      h('div', { class: 'grid' },
        h('fieldset', null, h('legend', null, 'Validation and safety'), val.el, chk.el, rb.el, arb.el),
        h('fieldset', null, h('legend', null, 'Parallelism'),
          field('Schemas in parallel (max_workers)', mw), field('Tables in parallel (parallel_tables)', pt))),
      h('fieldset', null, h('legend', null, 'Guardrails'),
        h('div', { class: 'row' }, field('Stop after minutes', md, 'Checked between schemas.'), field('Stop after tables', mt, 'Checked between schemas.'))),
      nav(true, 'Review'));
    form.addEventListener('change', (e) => { if (e.target.name === 'tt') ttSync(e.target.value); });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      clear(msg);
      form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
      const fd = new FormData(form);
      const pos = (input, label, optional) => {
        if (optional && input.value === '') return '';
        const n = Number(input.value);
        if (!Number.isInteger(n) || n < 1) { invalid(input, `${label} must be a whole number of at least 1`); return null; }
        return n;
      };
      const tt = fd.get('tt');
      if (tt === 'version' && !(Number.isInteger(Number(ver.value)) && ver.value !== '' && Number(ver.value) >= 0)) return invalid(ver, 'Enter a table version (0 or more)');
      if (tt === 'timestamp' && Number.isNaN(Date.parse(ts.value))) return invalid(ts, 'Enter a timestamp such as 2026-01-31T12:00:00Z');
      const w = pos(mw, 'Schemas in parallel'); if (w === null) return;
      const p = pos(pt, 'Tables in parallel'); if (p === null) return;
      const d = pos(md, 'Stop after minutes', true); if (d === null) return;
      const t = pos(mt, 'Stop after tables', true); if (t === null) return;
      Object.assign(st, {
        clone_type: fd.get('clone_type'), load_type: fd.get('load_type'), tt,
        as_of_version: ver.value, as_of_timestamp: ts.value.trim(),
        validate_after_clone: val.input.checked, validate_checksum: chk.input.checked,
        enable_rollback: rb.input.checked, auto_rollback_on_failure: arb.input.checked,
        max_workers: w, parallel_tables: p, max_duration_min: d, max_tables: t,
      });
      for (const [k] of COPY) st.copy[k] = fd.get(k) !== null;
      show(3);
    });
    return form;
  }

  function request() {
    const r = {
      source_catalog: st.source, destination_catalog: st.dest,
      clone_type: st.clone_type, load_type: st.load_type, ...st.copy,
      enable_rollback: st.enable_rollback, validate_after_clone: st.validate_after_clone,
      validate_checksum: st.validate_checksum, auto_rollback_on_failure: st.auto_rollback_on_failure,
      max_workers: st.max_workers, parallel_tables: st.parallel_tables,
    };
    if (st.tt === 'version') r.as_of_version = Number(st.as_of_version);
    if (st.tt === 'timestamp') r.as_of_timestamp = st.as_of_timestamp;
    if (st.max_duration_min !== '') r.max_duration_min = st.max_duration_min;
    if (st.max_tables !== '') r.max_tables = st.max_tables;
    if (st.scope === 'select') {
      const schemas = selectedSchemas();
      r.include_schemas = schemas;
      const partial = schemas.some((s) => { const v = st.schemas.get(s); return v.objects && v.selected.size < v.objects.length; });
      if (partial) {
        r.include_objects = [];
        for (const s of schemas) {
          for (const k of st.schemas.get(s).selected) {
            const i = k.indexOf(':');
            r.include_objects.push({ schema: s, name: k.slice(i + 1), type: k.slice(0, i) });
          }
        }
      }
    }
    return r;
  }

  // --- step 4 -----------------------------------------------------------------
  function step4() {
    const req = request();
    const planBox = h('div', { 'aria-live': 'polite' }, loading('Building the dry-run plan…'));
    const submit = h('button', { type: 'submit', class: 'btn' }, 'Start clone');
    const scope = st.scope === 'all' ? 'Whole catalog'
      : `${req.include_schemas.join(', ')}${req.include_objects ? ` (${req.include_objects.length} selected object${req.include_objects.length === 1 ? '' : 's'})` : ''}`;
    const form = h('form', { class: 'card', novalidate: true },
      h('h2', null, 'Review'),
      kv([
        ['Source', st.source], ['Destination', st.dest], ['Scope', scope],
        ['Clone type', st.clone_type], ['Load type', st.load_type],
        ['Copy', COPY.filter(([k]) => st.copy[k]).map(([, l]) => l).join(', ') || 'nothing extra'],
        ['Time travel', st.tt === 'version' ? `version ${st.as_of_version}` : st.tt === 'timestamp' ? st.as_of_timestamp : 'latest'],
        ['Validation', st.validate_after_clone ? (st.validate_checksum ? 'row counts and checksums' : 'row counts') : 'none'],
        ['Rollback point', st.enable_rollback ? 'yes' : 'no'],
        ['Parallelism', `${st.max_workers} schemas, ${st.parallel_tables} tables`],
        ['Guardrails', [st.max_duration_min && `${st.max_duration_min} min`, st.max_tables && `${st.max_tables} tables`].filter(Boolean).join(', ') || 'none'],
      ]),
      h('h3', null, 'Dry-run plan'), planBox,
      nav(true, 'Start clone'));
    form.querySelector('.actions button[type="submit"]').replaceWith(submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clear(msg);
      submit.disabled = true;
      submit.textContent = 'Starting…';
      try {
        const r = await post('/api/clone', req, { signal: ctx.signal });
        announce('Clone started');
        location.hash = `#/jobs/${encodeURIComponent(r.job_id)}`;
      } catch (err) {
        submit.disabled = false;
        submit.textContent = 'Start clone';
        showServerError(err);
      }
    });
    dryRun(req, planBox);
    return form;
  }

  function showServerError(err) {
    const box = errorBox(err, 'The server did not accept the clone');
    if (err.status === 422 && err.detail && FIELD_STEP[err.detail] !== undefined && FIELD_STEP[err.detail] !== st.step) {
      const target = FIELD_STEP[err.detail];
      box.append(h('p', null, h('button', { type: 'button', class: 'btn btn-sm btn-secondary', onclick: () => { clear(msg); show(target); } }, `Go to ${STEPS[target]}`)));
    }
    if (box) clear(msg, box);
  }

  async function dryRun(req, box) {
    try {
      const r = await post('/api/clone', { ...req, dry_run: true }, { signal: ctx.signal });
      const job = await waitJob(`/api/clone/${seg(r.job_id)}`, { signal: ctx.signal, interval: 500 });
      if (job.status !== 'completed') {
        clear(box, note('error', 'The dry run failed', job.error || `The plan job ended as ${job.status}.`,
          h('p', null, h('a', { href: `#/jobs/${encodeURIComponent(job.job_id)}` }, 'Open the plan job'), ' for its log.')));
        return;
      }
      clear(box, planView(job.result || {}));
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (err.status === 422) showServerError(err);
      clear(box, errorBox(err, 'The dry run failed'));
    }
  }

  show(0);
}

export function planView(plan) {
  const statements = plan.statements || [];
  const skipped = plan.skipped || [];
  const byPhase = {};
  for (const s of statements) byPhase[s.phase] = (byPhase[s.phase] || 0) + 1;
  const id = nextId('plan');
  return h('div', null,
    h('p', { id }, `${statements.length} statement${statements.length === 1 ? '' : 's'} will run; ${skipped.length} object${skipped.length === 1 ? ' is' : 's are'} skipped.`,
      Object.keys(byPhase).length ? ` By phase: ${Object.entries(byPhase).map(([k, v]) => `${k} ${v}`).join(', ')}.` : ''),
    table([
      ['#', (s) => s.step, { num: true }], ['Phase', (s) => s.phase], ['Object', (s) => s.object],
      ['SQL', (s) => h('code', null, s.sql)],
    ], statements, { caption: 'Planned statements', tall: true, empty: 'Nothing to do: the destination already matches.' }),
    skipped.length ? h('details', null, h('summary', null, `Skipped objects (${skipped.length})`),
      table([['Type', (s) => s.object_type], ['Object', (s) => s.object], ['Reason', (s) => s.reason]], skipped, { caption: 'Skipped objects', tall: true })) : null);
}
