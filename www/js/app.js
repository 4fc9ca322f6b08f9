// Clone-Xs web UI: hash router, theme, connection status. Each page is an
// ES module exporting render(main, ctx) that may return a cleanup function
// (timers, sockets); ctx.signal aborts when the user navigates away, so
// no request from an old page can write into a new one.
import { get } from './api.js';
import { clear, errorBox, h, announce } from './ui.js';

const PAGES = {
  connect: ['Connect', () => import('./pages/connect.js')],
  dashboard: ['Dashboard', () => import('./pages/dashboard.js')],
  explorer: ['Explorer', () => import('./pages/explorer.js')],
  clone: ['Clone', () => import('./pages/clone.js')],
  jobs: ['Jobs', () => import('./pages/jobs.js')],
  diff: ['Diff & Compare', () => import('./pages/diff.js')],
  validate: ['Validate', () => import('./pages/validate.js')],
  audit: ['Audit trail', () => import('./pages/audit.js')],
  rollback: ['Rollback', () => import('./pages/rollback.js')],
  settings: ['Settings', () => import('./pages/settings.js')],
};

// --- theme: the OS preference until the user picks one ---------------------
const themeBtn = document.getElementById('theme-toggle');
const media = window.matchMedia('(prefers-color-scheme: dark)');
function currentTheme() {
  return localStorage.getItem('clxs-theme') || (media.matches ? 'dark' : 'light');
}
function applyTheme() {
  const t = currentTheme();
  document.documentElement.dataset.theme = t;
  themeBtn.setAttribute('aria-pressed', t === 'dark' ? 'true' : 'false');
  themeBtn.textContent = 'Dark theme';
}
themeBtn.addEventListener('click', () => {
  localStorage.setItem('clxs-theme', currentTheme() === 'dark' ? 'light' : 'dark');
  applyTheme();
  announce(`${currentTheme()} theme`);
});
media.addEventListener('change', applyTheme);
window.addEventListener('clxs-theme', applyTheme);
applyTheme();

// --- connection line in the header ------------------------------------------
export async function refreshConnection() {
  const el = document.getElementById('conn-status');
  try {
    const s = await get('/api/auth/status');
    if (s && s.authenticated === false) {
      el.textContent = 'Not connected';
    } else {
      const who = s.user || s.user_name || 'unknown user';
      const embedded = !s.host || s.auth_method === 'embedded' || s.host === 'embedded-lakehouse';
      const where = embedded ? 'embedded lakehouse' : s.host.replace(/^https?:\/\//, '');
      el.textContent = `${who} · ${where}`;
    }
  } catch (err) {
    if (err.unavailable) {
      // No auth endpoints: this server always works on its embedded lakehouse.
      try {
        const hl = await get('/api/health');
        el.textContent = hl.status === 'ok' ? 'Embedded lakehouse · API ok' : 'API unavailable';
      } catch {
        el.textContent = 'API unavailable';
      }
    } else {
      el.textContent = err.status === 401 ? 'Not connected' : 'API unavailable';
    }
  }
}

// --- router -----------------------------------------------------------------
let cleanup = null;
let controller = null;
let renderSeq = 0;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || 'dashboard', args: parts.slice(1), query: new URLSearchParams(query) };
}

async function route() {
  const seq = ++renderSeq;
  const r = parseHash();
  if (typeof cleanup === 'function') {
    try { cleanup(); } catch { /* a page's cleanup must not break navigation */ }
  }
  cleanup = null;
  if (controller) controller.abort();
  controller = new AbortController();
  const main = document.getElementById('main');
  const page = PAGES[r.name];
  for (const a of document.querySelectorAll('.sidenav a[data-route]')) {
    if (a.dataset.route === r.name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!page) {
    clear(main, h('h1', null, 'Page not found'),
      h('p', null, 'There is no page at this address. ', h('a', { href: '#/dashboard' }, 'Go to the dashboard'), '.'));
    document.title = 'Not found · Clone-Xs';
    return;
  }
  document.title = `${page[0]} · Clone-Xs`;
  let mod;
  try {
    mod = await page[1]();
  } catch (err) {
    clear(main, h('h1', null, page[0]), errorBox({ message: 'This page failed to load.', hint: 'Reload the page; if it persists, the web UI files on the server are incomplete.' }));
    return;
  }
  if (seq !== renderSeq) return;
  clear(main);
  const ctx = { args: r.args, query: r.query, signal: controller.signal, refreshConnection };
  let done;
  try {
    done = await mod.render(main, ctx);
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    main.append(errorBox(err));
  }
  if (seq !== renderSeq) {
    // The user left while the page was still loading.
    if (typeof done === 'function') done();
    return;
  }
  cleanup = done;
  // Move focus to the page heading so keyboard and screen-reader users
  // land at the start of the new page.
  const h1 = main.querySelector('h1');
  if (h1 && r.focus !== false && window.__clxsNavigated) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: false });
  }
  window.__clxsNavigated = true;
}

window.addEventListener('hashchange', route);
refreshConnection();
route();
