// Connect: who you are, which workspace and warehouse; sign in with the
// embedded lakehouse (default), a Databricks host + token, or a CLI profile.
import { get, post, patch, serverToken } from '../api.js';
import { h, clear, field, errorBox, note, loading, kv, table, busy, announce, badge, select } from '../ui.js';

export async function render(main, ctx) {
  const statusBox = h('div', { class: 'card' }, loading('Checking who you are…'));
  const whBox = h('section', { class: 'card', 'aria-label': 'SQL warehouses' });
  const out = h('div', { 'aria-live': 'polite' });

  const modes = [
    ['lakehouse', 'Embedded lakehouse', 'Runs locally on this server; nothing to configure.'],
    ['pat', 'Databricks workspace', 'A workspace URL and a personal access token.'],
    ['profile', 'Databricks CLI profile', 'A profile from ~/.databrickscfg on the server.'],
  ];
  const radios = modes.map(([value, label, help], i) => {
    const input = h('input', { type: 'radio', name: 'mode', value, checked: i === 0, 'aria-describedby': `mode-${value}-help` });
    return h('div', null, h('label', { class: 'check' }, input, label), h('p', { class: 'help muted', id: `mode-${value}-help`, style: 'margin:0 0 .4rem 1.5rem' }, help));
  });
  const host = h('input', { type: 'url', name: 'host', placeholder: 'https://adb-123456.azuredatabricks.net', autocomplete: 'url' });
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', placeholder: 'dapi…' });
  const profileSel = select([], { name: 'profile' });
  const profileHelp = h('p', { class: 'help' });
  const patBox = h('div', { hidden: true }, field('Workspace URL', host), field('Personal access token', token, 'Sent once over this connection; the server keeps it encrypted and never shows it again.'));
  const profBox = h('div', { hidden: true }, field('Profile', profileSel), profileHelp);
  const submit = h('button', { type: 'submit', class: 'btn' }, 'Connect');
  const logout = h('button', { type: 'button', class: 'btn btn-ghost' }, 'Log out');

  const form = h('form', { class: 'card', novalidate: true },
    h('h2', null, 'Connect to'),
    h('fieldset', null, h('legend', null, 'Connection type'), radios),
    patBox, profBox,
    h('div', { class: 'actions' }, submit, logout));

  let profilesLoaded = false;
  const mode = () => form.querySelector('input[name="mode"]:checked').value;
  form.addEventListener('change', async (e) => {
    if (e.target.name !== 'mode') return;
    patBox.hidden = mode() !== 'pat';
    profBox.hidden = mode() !== 'profile';
    if (mode() === 'profile' && !profilesLoaded) {
      profilesLoaded = true;
      profileHelp.textContent = 'Loading profiles…';
      try {
        const list = await get('/api/auth/profiles', { signal: ctx.signal });
        const items = Array.isArray(list) ? list : list.profiles || [];
        clear(profileSel, items.map((p) => h('option', { value: p.name || p }, p.host ? `${p.name} (${p.host})` : p.name || p)));
        profileHelp.textContent = items.length ? '' : 'No profiles found in ~/.databrickscfg on the server.';
      } catch (err) {
        profileHelp.textContent = err.unavailable ? 'This server cannot read CLI profiles.' : err.message;
      }
    }
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const m = mode();
    for (const el of [host, token]) el.removeAttribute('aria-invalid');
    if (m === 'pat') {
      if (!/^https:\/\/[^\s/]+/.test(host.value.trim())) {
        host.setAttribute('aria-invalid', 'true');
        clear(out, note('error', 'Enter the workspace URL', 'It starts with https://, for example https://adb-123456.azuredatabricks.net.'));
        host.focus();
        return;
      }
      if (!token.value) {
        token.setAttribute('aria-invalid', 'true');
        clear(out, note('error', 'Enter a personal access token', 'Create one in the workspace under Settings → Developer → Access tokens.'));
        token.focus();
        return;
      }
    }
    busy(submit, out, async () => {
      let res;
      if (m === 'pat') res = await post('/api/auth/login', { host: host.value.trim(), token: token.value });
      else if (m === 'profile') res = await post('/api/auth/use-profile', { profile_name: profileSel.value });
      else res = await useLakehouse();
      token.value = '';
      clear(out, note('ok', 'Connected', res && res.user ? `Signed in as ${res.user}.` : 'Using the embedded lakehouse.'));
      announce('Connected');
      await showStatus();
      ctx.refreshConnection();
    }, 'Connecting…');
  });

  logout.addEventListener('click', () => busy(logout, out, async () => {
    await post('/api/auth/logout', {});
    clear(out, note('ok', 'Logged out', 'Your session on this server is closed. Requests now use the embedded lakehouse unless you connect again.'));
    await showStatus();
    ctx.refreshConnection();
  }));

  // The embedded lakehouse is what a server without a workspace session
  // uses; choosing it ends any workspace session.
  async function useLakehouse() {
    try {
      return await post('/api/auth/logout', {});
    } catch (err) {
      if (err.unavailable) return { status: 'ok' };
      throw err;
    }
  }

  async function showStatus() {
    clear(statusBox, loading('Checking who you are…'));
    let s;
    try {
      s = await get('/api/auth/status', { signal: ctx.signal });
    } catch (err) {
      if (err.unavailable) {
        clear(statusBox, h('h2', null, 'Current connection'),
          kv([['Workspace', 'Embedded lakehouse'], ['Sign-in', 'not needed: this server only works with its embedded lakehouse']]));
      } else {
        clear(statusBox, h('h2', null, 'Current connection'), errorBox(err));
      }
      return;
    }
    clear(statusBox, h('h2', null, 'Current connection'),
      kv([
        ['Status', badge(s.authenticated === false ? 'not_connected' : 'connected')],
        ['User', s.user || s.user_name],
        ['Workspace', !s.host || s.auth_method === 'embedded' || s.host === 'embedded-lakehouse' ? 'Embedded lakehouse' : s.host],
        ['Method', s.auth_method],
        ['Warehouse', s.warehouse_id || s.sql_warehouse_id],
      ]));
    await showWarehouses();
  }

  async function showWarehouses() {
    clear(whBox, loading('Loading warehouses…'));
    let list;
    try {
      list = await get('/api/auth/warehouses', { signal: ctx.signal });
    } catch (err) {
      clear(whBox, h('h2', null, 'SQL warehouses'), errorBox(err, 'Warehouses'));
      return;
    }
    const items = Array.isArray(list) ? list : list.warehouses || [];
    const msg = h('div', { 'aria-live': 'polite' });
    clear(whBox, h('h2', null, 'SQL warehouses'),
      table([
        ['Name', (w) => w.name],
        ['ID', (w) => h('code', null, w.id)],
        ['State', (w) => badge(w.state)],
        ['Size', (w) => w.size],
        ['', (w) => h('div', { class: 'row' },
          h('button', { type: 'button', class: 'btn btn-sm btn-secondary', 'aria-label': `Test warehouse ${w.name || w.id}`, onclick: (e) => busy(e.currentTarget, msg, async () => {
            const r = await post('/api/auth/test-warehouse', { warehouse_id: w.id });
            clear(msg, note('ok', `${w.name || w.id}: ${r.message || 'reachable'}`));
          }) }, 'Test'),
          h('button', { type: 'button', class: 'btn btn-sm btn-secondary', 'aria-label': `Use warehouse ${w.name || w.id}`, onclick: (e) => busy(e.currentTarget, msg, async () => {
            await patch('/api/config/warehouse', { warehouse_id: w.id });
            clear(msg, note('ok', `Now using ${w.name || w.id}`));
          }) }, 'Use'))],
      ], items, { caption: 'SQL warehouses', empty: 'No SQL warehouses are visible to you.' }),
      msg);
  }

  // The server access token, for a server that listens beyond loopback.
  const tokIn = h('input', { type: 'password', name: 'server_token', autocomplete: 'off' });
  const tokOut = h('div', { 'aria-live': 'polite' });
  const tokSave = h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Use token');
  const tokForget = h('button', { type: 'button', class: 'btn btn-ghost' }, 'Forget token');
  const tokForm = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'tok-h' },
    h('h2', { id: 'tok-h' }, 'Server access token'),
    h('p', { class: 'muted' }, 'Only needed when the Clone-Xs server listens beyond this machine. It is kept in this browser tab only.'),
    field('Access token', tokIn), h('div', { class: 'actions' }, tokSave, tokForget), tokOut);
  const tokState = () => clear(tokOut, h('p', { class: 'muted' }, serverToken.get() ? 'A token is set for this tab.' : 'No token set.'));
  tokState();
  tokForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!tokIn.value) { tokIn.setAttribute('aria-invalid', 'true'); clear(tokOut, note('error', 'Enter the token')); tokIn.focus(); return; }
    tokIn.removeAttribute('aria-invalid');
    serverToken.set(tokIn.value);
    tokIn.value = '';
    tokState();
    showStatus();
    ctx.refreshConnection();
  });
  tokForget.addEventListener('click', () => { serverToken.set(''); tokState(); });

  main.append(h('h1', null, 'Connect'), statusBox, whBox, form, out, tokForm);
  await showStatus();
}
