// Browser test of the web UI against the real stack (started by
// tests/integration/test_browser.sh): Debian's Chromium driven by
// playwright-core. Walks connect -> demo catalog -> explorer -> clone
// wizard -> live job -> diff -> cancel -> rollback, checks every page with
// axe-core (no serious/critical violations), saves screenshots, and fails
// on any console error except the 404s of API routes this server does not
// have (which the UI reports as "not available on this server").
import { pathToFileURL } from 'node:url';
import { mkdirSync } from 'node:fs';
import http from 'node:http';

const BASE = process.env.BASE;
const ART = process.env.ARTIFACTS;
const AXE = process.env.AXE_JS;
const PW = process.env.PLAYWRIGHT_CORE;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DEMO_BUILT = process.env.DEMO_BUILT === '1';
const { chromium } = await import(pathToFileURL(`${PW}/index.mjs`).href);
mkdirSync(ART, { recursive: true });

let passed = 0;
let failed = 0;
const ok = (msg) => { passed++; console.log(`ok - ${msg}`); };
const bad = (msg) => { failed++; console.log(`not ok - ${msg}`); };
const check = (cond, msg, why = '') => (cond ? ok(msg) : bad(why ? `${msg}: ${why}` : msg));
async function step(name, fn) {
  try {
    await fn();
  } catch (err) {
    bad(`${name}: ${String(err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : err)}`);
  }
}

// What this server offers: the route table's OpenAPI document.
const openapi = await (await fetch(`${BASE}/api/openapi.json`)).json();
const has = (method, path) => Boolean(openapi.paths && openapi.paths[path] && openapi.paths[path][method]);
const feature = {
  catalogs: has('get', '/api/catalogs') && has('get', '/api/catalogs/{catalog}/schemas'),
  objects: has('get', '/api/catalogs/{catalog}/{schema}/objects'),
  tableInfo: has('get', '/api/catalogs/{catalog}/{schema}/{table}/info'),
  demo: has('post', '/api/generate/demo-data'),
  diff: has('post', '/api/diff'),
  validate: has('post', '/api/validate'),
  rollback: has('get', '/api/rollback/logs') && has('post', '/api/rollback'),
};
console.log(`# features: ${JSON.stringify(feature)}`);

// Does nginx upgrade /api/clone/ws/{id} to a WebSocket?
function wsSupported(jobId) {
  return new Promise((resolve) => {
    const u = new URL(`${BASE}/api/clone/ws/${jobId}`);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, headers: {
      Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    req.on('upgrade', (res, sock) => { sock.destroy(); resolve(true); });
    req.on('response', (res) => { res.resume(); resolve(false); });
    req.on('error', () => resolve(false));
    req.setTimeout(3000, () => { req.destroy(); resolve(false); });
    req.end();
  });
}

const browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
const page = await context.newPage();
page.setDefaultTimeout(30000);

// --- console errors ---------------------------------------------------------------
const consoleErrors = [];
const unavailable = new Set(); // API URLs that answered "no API route"
const expected404 = new Set(); // URLs the test asks for knowing they do not exist
let wsMissing = false;
page.on('response', async (resp) => {
  if (resp.status() === 404 || resp.status() === 405) {
    try {
      const b = await resp.json();
      if (resp.status() === 405 || /^no API route/.test(b.message || '')) unavailable.add(resp.url());
    } catch { /* not JSON */ }
  }
});
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push({ text: m.text(), url: m.location().url || '' }); });
page.on('pageerror', (e) => consoleErrors.push({ text: `pageerror: ${e.message}`, url: '' }));

// --- helpers ------------------------------------------------------------------------
async function go(route, heading) {
  await page.evaluate((r) => { location.hash = r; }, `#/${route}`);
  await page.waitForFunction((t) => {
    const h1 = document.querySelector('main h1');
    return h1 && (!t || h1.textContent.includes(t)) && !document.querySelector('main .spinner');
  }, heading, { timeout: 30000 });
}
async function settle() {
  await page.waitForFunction(() => !document.querySelector('main .spinner, dialog .spinner'), null, { timeout: 30000 });
}
async function shot(name) {
  await page.screenshot({ path: `${ART}/${name}.png`, fullPage: true });
}
async function axe(name) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  check(res.length === 0, `axe: no serious or critical violations on ${name}`, res.join('; '));
}
async function visit(route, heading, name) {
  await go(route, heading);
  await settle();
  await shot(name);
  await axe(name);
}
const text = (sel) => page.locator(sel).first().innerText();
const jobIdFromHash = () => page.evaluate(() => decodeURIComponent(location.hash.replace(/^#\/jobs\//, '')));
async function jobStatus() {
  return page.evaluate(() => {
    const dd = [...document.querySelectorAll('main dl.kv dt')].find((d) => d.textContent === 'Status');
    return dd ? dd.nextElementSibling.textContent.trim() : '';
  });
}
async function waitStatus(statuses, timeout = 120000) {
  await page.waitForFunction((ss) => {
    const dd = [...document.querySelectorAll('main dl.kv dt')].find((d) => d.textContent === 'Status');
    return dd && ss.includes(dd.nextElementSibling.textContent.trim());
  }, statuses, { timeout });
  return jobStatus();
}

// The wizard from the top to the job page; returns the job id.
async function wizard(src, dst, { selectSchema, selectObject } = {}) {
  await go(`clone?source=${encodeURIComponent(src)}`, 'Clone a catalog');
  await page.getByLabel('Destination catalog').fill(dst);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'What to clone' }).waitFor();
  if (selectSchema) {
    await page.getByLabel('Selected schemas and objects').check();
    if (selectObject) {
      await page.getByRole('button', { name: `Objects in ${selectSchema}` }).click();
      await page.getByRole('checkbox', { name: selectObject, exact: true }).check();
      check(await page.getByRole('checkbox', { name: selectSchema, exact: true }).evaluate((c) => c.indeterminate), 'a partly selected schema shows as indeterminate');
    } else {
      await page.getByRole('checkbox', { name: selectSchema, exact: true }).check();
    }
  }
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Options' }).waitFor();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('heading', { name: 'Review' }).waitFor();
  await page.waitForFunction(() => /statements? will run|dry run failed/i.test(document.querySelector('main form').innerText), null, { timeout: 60000 });
  return async () => {
    await page.getByRole('button', { name: 'Start clone' }).click();
    await page.waitForFunction(() => /^#\/jobs\/./.test(location.hash));
    await page.getByRole('heading', { name: 'Progress' }).waitFor();
    return jobIdFromHash();
  };
}

// --- the walk ---------------------------------------------------------------------------
await page.goto(`${BASE}/`);
await page.waitForSelector('main h1');

await step('keyboard: skip link', async () => {
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.classList.contains('skip-link')), 'the first Tab reaches the skip link');
  await page.keyboard.press('Enter');
  check(await page.evaluate(() => document.activeElement.id === 'main'), 'the skip link moves focus to the content');
});

await step('connect', async () => {
  await visit('connect', 'Connect', 'connect');
  check(await page.getByLabel('Embedded lakehouse').isChecked(), 'the embedded lakehouse is the default');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByText(/Connected|Using the embedded lakehouse/).first().waitFor();
  ok('connected to the embedded lakehouse');
  await page.waitForFunction(() => !/Checking/.test(document.getElementById('conn-status').textContent));
  check(/lakehouse|@|user/i.test(await text('#conn-status')), 'the header says who and where', await text('#conn-status'));
});

await step('dashboard and demo catalog', async () => {
  await visit('dashboard', 'Dashboard', 'dashboard');
  if (feature.demo && !DEMO_BUILT) {
    await page.getByLabel('Demo catalog name').fill('demo');
    await page.getByRole('button', { name: 'Generate demo catalog' }).click();
    await page.getByText('Demo catalog "demo" is ready').waitFor({ timeout: 180000 });
    ok('generated the demo catalog from the dashboard');
    await shot('dashboard-demo-ready');
  } else {
    console.log('# demo catalog built by the shell script (no /api/generate/demo-data)');
  }
});

await step('explorer', async () => {
  await visit('explorer', 'Explorer', 'explorer');
  if (!feature.catalogs) {
    check(await page.getByText('not available on this server').first().isVisible(), 'explorer says catalog browsing is not available');
    return;
  }
  await page.getByRole('button', { name: /^demo\s*catalog$/ }).click();
  await page.getByRole('link', { name: 'Clone demo' }).waitFor();
  ok('opening a catalog shows its details');
  await page.getByRole('button', { name: /bronze\s*schema/ }).click();
  if (!feature.objects) return;
  await page.getByRole('button', { name: /customers\s*table/ }).waitFor();
  await page.getByLabel('Filter').fill('cust');
  check(!(await page.getByRole('button', { name: /orders\s*table/ }).isVisible()), 'the filter hides names that do not match');
  check(await page.getByRole('button', { name: /customers\s*table/ }).isVisible(), 'the filter keeps names that match');
  await shot('explorer-tree');
  if (!feature.tableInfo) return;
  await page.getByRole('button', { name: /customers\s*table/ }).click();
  const dlg = page.locator('dialog.drawer');
  await dlg.getByRole('tab', { name: 'Columns' }).click();
  await dlg.locator('table').first().waitFor();
  check((await dlg.locator('tbody tr').count()) > 0, 'the table drawer lists columns');
  await dlg.getByRole('tab', { name: 'Columns' }).press('ArrowRight');
  check(await dlg.getByRole('tab', { name: 'Properties' }).evaluate((b) => b.getAttribute('aria-selected') === 'true'), 'arrow keys move between drawer tabs');
  await settle();
  await shot('explorer-drawer');
  await axe('explorer drawer');
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  ok('Escape closes the drawer');
});

let firstJob = '';
await step('clone wizard: validation messages', async () => {
  await go('clone?source=demo', 'Clone a catalog');
  await page.getByLabel('Destination catalog').fill('demo');
  await page.getByRole('button', { name: 'Next' }).click();
  check(await page.getByText('The destination must differ from the source').isVisible(), 'cloning a catalog onto itself is refused in words');
  check(await page.getByLabel('Destination catalog').getAttribute('aria-invalid') === 'true', 'the field is marked invalid');
});

await step('clone wizard: first clone to 100%', async () => {
  const start = await wizard('demo', 'demo_ui');
  const planText = await page.locator('main form').innerText();
  check(/\d+ statements will run/.test(planText), 'the review step shows the dry-run plan');
  check((await page.locator('main form tbody tr').count()) > 5, 'the plan lists statements');
  await shot('clone-review');
  await axe('clone review');
  firstJob = await start();
  ok(`submitted clone job ${firstJob}`);
  const live = await wsSupported(firstJob);
  wsMissing = !live;
  console.log(`# websocket progress: ${live ? 'yes' : 'not on this server (polling)'}`);
  await page.waitForFunction(() => /running|queued|completed/.test(document.querySelector('main').innerText));
  await shot('job-running');
  const final = await waitStatus(['completed', 'failed', 'cancelled']);
  check(final === 'completed', 'the clone completed', final);
  await page.waitForFunction(() => document.getElementById('job-percent').textContent === '100%');
  ok('progress reached 100%');
  check(Number(await page.locator('#job-progress').getAttribute('value')) === 100, 'the progress bar is full');
  if (live) check(/Live updates connected|The job is completed/.test(await text('#live-mode')), 'progress came over the WebSocket', await text('#live-mode'));
  check(await page.getByRole('heading', { name: 'Per-object outcomes' }).isVisible(), 'the result lists per-object outcomes');
  check((await page.locator('main table tbody tr').count()) >= 10, 'per-object rows are shown');
  await settle();
  await shot('job-completed');
  await axe('job page');
});

await step('diff shows zero differences', async () => {
  if (!feature.diff) { console.log('# skip: no /api/diff on this server'); return; }
  await go(`jobs/${encodeURIComponent(firstJob)}`, 'Clone');
  await waitStatus(['completed']);
  await page.getByRole('link', { name: 'Diff source and destination' }).click();
  await page.getByRole('heading', { name: 'Diff & Compare' }).waitFor();
  check(await page.getByLabel('Source catalog').inputValue() === 'demo', 'the diff form is prefilled from the job');
  await page.getByRole('button', { name: 'Diff objects' }).click();
  await page.locator('#diff-summary').waitFor({ timeout: 60000 });
  check(await page.locator('#diff-summary').getAttribute('data-differences') === '0', 'diff reports zero differences', await text('#diff-summary'));
  await shot('diff');
  await axe('diff results');
});

await step('validate', async () => {
  if (!feature.validate) { await visit('validate', 'Validate', 'validate'); return; }
  await go('validate?source=demo&dest=demo_ui', 'Validate');
  await page.getByRole('button', { name: 'Validate', exact: true }).click();
  await page.getByRole('heading', { name: 'Result' }).waitFor({ timeout: 60000 });
  check(await page.getByText('The destination matches the source').isVisible(), 'validation of a fresh clone passes');
  await shot('validate');
  await axe('validate results');
});

await step('cancel a second clone mid-way', async () => {
  const start = await wizard('demo', 'demo_cancel');
  await start();
  await page.waitForFunction(() => {
    const t = document.querySelector('main').innerText;
    const m = /(\d+) of (\d+) statements/.exec(t);
    return m && Number(m[1]) >= 1 && Number(m[1]) < Number(m[2]);
  }, null, { timeout: 60000 });
  await page.getByRole('button', { name: 'Cancel job' }).click();
  const dlg = page.locator('dialog.modal');
  await axe('cancel confirmation');
  await dlg.getByRole('button', { name: 'Cancel job' }).click();
  const final = await waitStatus(['cancelled', 'completed', 'failed']);
  check(final === 'cancelled', 'the second clone was cancelled mid-way', final);
  const m = /(\d+) of (\d+) statements/.exec(await page.locator('main').innerText());
  check(m && Number(m[1]) < Number(m[2]), 'it stopped before the end', m ? m[0] : 'no progress line');
  await shot('job-cancelled');
});

await step('roll a third clone back', async () => {
  if (!feature.rollback) { await visit('rollback', 'Rollback', 'rollback'); console.log('# skip: no /api/rollback on this server'); return; }
  const start = await wizard('demo', 'demo_rb', { selectSchema: 'bronze', selectObject: 'customers (table)' });
  const review = await page.locator('main form').innerText();
  check(review.includes('bronze (1 selected object)'), 'the review shows the partial scope');
  const planned = await page.getByRole('table', { name: 'Planned statements' }).innerText();
  check(planned.includes('bronze.customers') && !planned.includes('bronze.orders'), 'the plan holds only the selected table');
  await shot('clone-review-partial');
  await start();
  check(await waitStatus(['completed', 'failed', 'cancelled']) === 'completed', 'the third clone (one table) completed');
  await page.getByRole('link', { name: 'Roll back' }).click();
  await page.getByRole('heading', { name: 'Rollback', exact: true }).waitFor();
  await settle();
  await shot('rollback');
  await axe('rollback');
  const btn = page.locator('button.btn-danger[data-rollback-id]');
  const rbId = await btn.getAttribute('data-rollback-id');
  await btn.click();
  await page.locator('dialog.modal').getByRole('button', { name: 'Roll back' }).click();
  await page.locator('#rollback-result').waitFor({ timeout: 60000 });
  ok('the rollback finished');
  await page.waitForFunction((id) => {
    const b = document.querySelector(`button[data-rollback-id="${id}"]`);
    return b && /completed|rolled back/.test(b.closest('tr').innerText);
  }, rbId, { timeout: 30000 });
  ok('the list marks the rollback point as used');
  await shot('rollback-done');
  if (feature.catalogs) {
    const cats = await page.evaluate(async () => (await fetch('/api/catalogs')).json());
    const names = (Array.isArray(cats) ? cats : cats.catalogs || []).map((c) => (typeof c === 'string' ? c : c.name));
    check(!names.includes('demo_rb'), 'the rolled-back catalog is gone', names.join(','));
  }
});

await step('other pages', async () => {
  await visit('jobs', 'Jobs', 'jobs');
  check((await page.locator('main tbody tr').count()) >= 3, 'the jobs list shows the clones');
  await visit('audit', 'Audit trail', 'audit');
  if (has('get', '/api/audit/{job_id}/logs') && await page.getByRole('button', { name: /^Show the run log/ }).count()) {
    await page.getByRole('button', { name: /^Show the run log/ }).first().click();
    await page.getByRole('heading', { name: /^Run log of/ }).waitFor();
    await settle();
    ok('an audit entry opens its run log');
    await shot('audit-log');
    await axe('audit run log');
  }
  await visit('rollback', 'Rollback', 'rollback-list');
  await visit('settings', 'Settings', 'settings');
  const perf = page.locator('form[aria-labelledby="set-perf"]');
  await page.getByLabel('Tables in parallel').fill('0');
  await perf.getByRole('button', { name: 'Save' }).click();
  check(await perf.getByText('Use whole numbers of at least 1').isVisible(), 'settings refuse a bad number in words');
  await page.getByLabel('Tables in parallel').fill('3');
  await perf.getByRole('button', { name: 'Save' }).click();
  await perf.getByText('Performance: saved').waitFor();
  await go('dashboard', 'Dashboard');
  await go('settings', 'Settings');
  check(await page.getByLabel('Tables in parallel').inputValue() === '3', 'a saved setting is there after a reload');
  await visit('diff', 'Diff & Compare', 'diff-empty');
  // A job that does not exist: the error says so in words.
  expected404.add(`${BASE}/api/jobs/nosuchjob`);
  expected404.add(`${BASE}/api/clone/nosuchjob`);
  await go('jobs/nosuchjob', '');
  await page.locator('main .alert-error').waitFor();
  check(/not found/i.test(await text('main .alert-error')), 'a missing job is reported as not found', await text('main .alert-error'));
  await go('no-such-page', 'Page not found');
  ok('an unknown address shows "Page not found"');
});

await step('dark theme', async () => {
  await go('dashboard', 'Dashboard');
  await page.getByRole('button', { name: 'Dark theme' }).click();
  check(await page.evaluate(() => document.documentElement.dataset.theme) === 'dark', 'the toggle switches to the dark theme');
  check(await page.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed') === 'true', 'the toggle reports its state');
  await settle();
  await shot('dashboard-dark');
  await axe('dashboard (dark)');
  await visit(`jobs/${encodeURIComponent(firstJob)}`, 'Clone', 'job-dark');
  await visit('clone?source=demo', 'Clone a catalog', 'clone-dark');
  await page.reload();
  await page.waitForSelector('main h1');
  check(await page.evaluate(() => document.documentElement.dataset.theme) === 'dark', 'the theme choice survives a reload');
  await page.getByRole('button', { name: 'Dark theme' }).click();
});

await step('tablet width (800px)', async () => {
  await page.setViewportSize({ width: 800, height: 1000 });
  for (const [route, heading, name] of [['dashboard', 'Dashboard', 'dashboard-800'], [`jobs/${encodeURIComponent(firstJob)}`, 'Clone', 'job-800'], ['clone?source=demo', 'Clone a catalog', 'clone-800'], ['explorer', 'Explorer', 'explorer-800']]) {
    await go(route, heading);
    await settle();
    await shot(name);
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    check(w <= 800, `${name}: no horizontal scrolling at 800px`, `scrollWidth ${w}`);
  }
  await axe('clone wizard at 800px');
});

// --- console errors ------------------------------------------------------------------------
const allowed = (e) => {
  if (/Failed to load resource: the server responded with a status of 40[45]/.test(e.text)) {
    return unavailable.has(e.url) || expected404.has(e.url);
  }
  if (wsMissing && /WebSocket connection to '.*\/api\/clone\/ws\/.*' failed/.test(e.text)) return true;
  return false;
};
const real = consoleErrors.filter((e) => !allowed(e));
for (const u of unavailable) console.log(`# not available on this server: ${u.replace(BASE, '')}`);
check(real.length === 0, 'no console errors', real.map((e) => `${e.text} ${e.url}`).join(' | '));

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
