// Explorer: catalog -> schema -> tables/views/functions/volumes, loaded a
// level at a time as nodes open, with a filter over what is loaded; a
// table opens a drawer with its columns, properties, grants, tags,
// constraints, history and sample rows.
import { get, post, seg } from '../api.js';
import { h, clear, errorBox, loading, table, kv, fmt, fmtTime, nextId, note } from '../ui.js';

const nameOf = (x) => (typeof x === 'string' ? x : x && (x.name || x.schema_name || x.table_name || x.catalog_name || x.function_name || x.volume_name));
const listOf = (d, ...keys) => {
  if (Array.isArray(d)) return d;
  for (const k of keys) if (d && Array.isArray(d[k])) return d[k];
  return [];
};

export async function render(main, ctx) {
  const filter = h('input', { type: 'search', id: 'tree-filter', placeholder: 'Filter loaded names', autocomplete: 'off', spellcheck: 'false' });
  const tree = h('ul', { class: 'tree', 'aria-label': 'Catalogs' });
  const treeMsg = h('div', { 'aria-live': 'polite' });
  const detail = h('div', null, h('p', { class: 'muted' }, 'Open a catalog and a schema, then choose a table or view to see its details.'));
  main.append(h('h1', null, 'Explorer'),
    h('div', { class: 'explorer' },
      h('section', { class: 'card', 'aria-label': 'Catalog tree' },
        h('div', { class: 'field' }, h('label', { for: 'tree-filter' }, 'Filter'), filter,
          h('p', { class: 'help' }, 'Matches names in the levels you have opened.')),
        h('div', { class: 'tree-pane' }, treeMsg, tree)),
      h('section', { class: 'card', 'aria-label': 'Details' }, detail)));

  filter.addEventListener('input', () => applyFilter(tree, filter.value.trim().toLowerCase()));

  // A node that loads its children the first time it opens.
  function node(label, kind, load, depth) {
    const childList = h('ul', { hidden: true });
    const twisty = h('span', { class: 'twisty', 'aria-hidden': 'true' }, '▸');
    const btn = h('button', { type: 'button', class: 'node', 'aria-expanded': 'false' }, twisty, h('span', null, label), h('span', { class: 'kind' }, kind));
    const li = h('li', { 'data-name': label.toLowerCase() }, btn, childList);
    let loaded = false;
    btn.addEventListener('click', async () => {
      const open = btn.getAttribute('aria-expanded') !== 'true';
      btn.setAttribute('aria-expanded', String(open));
      twisty.textContent = open ? '▾' : '▸';
      childList.hidden = !open;
      if (open && !loaded) {
        loaded = true;
        clear(childList, h('li', null, loading()));
        try {
          const items = await load();
          clear(childList, items.length ? items : h('li', { class: 'muted group' }, 'Empty'));
          applyFilter(tree, filter.value.trim().toLowerCase());
        } catch (err) {
          loaded = false;
          if (err.name === 'AbortError') return;
          clear(childList, h('li', null, errorBox(err)));
        }
      }
    });
    li.dataset.depth = depth;
    return li;
  }

  function leaf(label, kind, onOpen) {
    const btn = h('button', { type: 'button', class: 'node' }, h('span', { class: 'twisty', 'aria-hidden': 'true' }, '·'), h('span', null, label), h('span', { class: 'kind' }, kind));
    if (onOpen) btn.addEventListener('click', onOpen);
    else btn.setAttribute('aria-disabled', 'true');
    return h('li', { 'data-name': label.toLowerCase() }, btn);
  }

  // Opening a catalog also shows its owner, comment and storage root.
  function showCatalog(cat) {
    clear(detail, h('h2', null, cat), loading('Loading the catalog…'));
    get(`/api/catalogs/${seg(cat)}/info`, { signal: ctx.signal }).then((info) => {
      clear(detail, h('h2', null, cat), kv([['Owner', info.owner], ['Comment', info.comment], ['Storage root', info.storage_root]]),
        h('div', { class: 'actions' },
          h('a', { class: 'btn btn-secondary', href: `#/clone?source=${encodeURIComponent(cat)}` }, `Clone ${cat}`),
          h('a', { class: 'btn btn-ghost', href: `#/diff?source=${encodeURIComponent(cat)}` }, 'Compare with…')));
    }).catch((err) => { if (err.name !== 'AbortError') clear(detail, h('h2', null, cat), errorBox(err, 'Catalog details')); });
  }

  const loadSchemas = (cat) => async () => {
    showCatalog(cat);
    const d = await get(`/api/catalogs/${seg(cat)}/schemas`, { signal: ctx.signal });
    return listOf(d, 'schemas').map(nameOf).filter(Boolean).map((s) => node(s, 'schema', loadObjects(cat, s), 1));
  };

  const loadObjects = (cat, schema) => async () => {
    let d;
    try {
      d = await get(`/api/catalogs/${seg(cat)}/${seg(schema)}/objects`, { signal: ctx.signal });
    } catch (err) {
      if (!err.unavailable) throw err;
      d = { tables: listOf(await get(`/api/catalogs/${seg(cat)}/${seg(schema)}/tables`, { signal: ctx.signal }), 'tables') };
    }
    const groups = [['tables', 'table'], ['views', 'view'], ['functions', 'function'], ['volumes', 'volume']];
    const out = [];
    for (const [key, kind] of groups) {
      const items = listOf(d && d[key]).map(nameOf).filter(Boolean);
      for (const n of items) {
        const openable = kind === 'table' || kind === 'view';
        out.push(leaf(n, kind, openable ? () => openTable(cat, schema, n) : null));
      }
    }
    return out;
  };

  async function openTable(cat, schema, name) {
    openDrawer(ctx, cat, schema, name);
    clear(detail, h('h2', null, `${cat}.${schema}.${name}`), h('p', { class: 'muted' }, 'Details are open in the side panel.'));
  }

  try {
    const cats = listOf(await get('/api/catalogs', { signal: ctx.signal }), 'catalogs').map(nameOf).filter(Boolean);
    if (!cats.length) treeMsg.append(note('info', 'No catalogs yet', h('p', null, 'Generate the demo catalog from the ', h('a', { href: '#/dashboard' }, 'dashboard'), '.')));
    clear(tree, cats.map((c) => node(c, 'catalog', loadSchemas(c), 0)));
  } catch (err) {
    clear(treeMsg, errorBox(err, 'Catalogs'));
  }
  return () => document.querySelectorAll('dialog.drawer').forEach((d) => d.remove());
}

// Show a node when its name or any loaded descendant matches.
function applyFilter(list, q) {
  let any = false;
  for (const li of list.children) {
    const sub = li.querySelector(':scope > ul');
    const childMatch = sub ? applyFilter(sub, q) : false;
    const self = !q || (li.dataset.name || '').includes(q);
    const show = self || childMatch;
    li.hidden = !show && li.dataset.name !== undefined;
    any = any || show;
  }
  return any;
}

// --- the table drawer ----------------------------------------------------------
function openDrawer(ctx, cat, schema, name) {
  document.querySelectorAll('dialog.drawer').forEach((d) => d.remove());
  const titleId = nextId('drawer');
  const body = h('div', { class: 'drawer-body' }, loading('Loading table details…'));
  const close = h('button', { type: 'button', class: 'btn btn-ghost' }, 'Close');
  const dlg = h('dialog', { class: 'drawer', 'aria-labelledby': titleId },
    h('div', { class: 'drawer-head' }, h('h2', { id: titleId }, `${cat}.${schema}.${name}`), close), body);
  const opener = document.activeElement;
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => { dlg.remove(); if (opener && opener.isConnected) opener.focus(); });
  document.body.appendChild(dlg);
  dlg.showModal();
  close.focus();

  get(`/api/catalogs/${seg(cat)}/${seg(schema)}/${seg(name)}/info`, { signal: ctx.signal }).then((info) => {
    clear(body, tabs([
      ['Overview', () => kv([
        ['Type', info.table_type || info.type], ['Owner', info.owner], ['Comment', info.comment],
        ['Format', info.data_source_format || info.format], ['Storage location', info.storage_location],
        ['Created', fmtTime(info.created_at)], ['Updated', fmtTime(info.updated_at)],
        ['Rows', info.row_count ?? info.num_rows], ['Size (bytes)', info.size_in_bytes ?? info.sizeInBytes],
      ])],
      ['Columns', () => table([
        ['Name', (c) => c.name], ['Type', (c) => c.type || c.type_text || c.data_type],
        ['Nullable', (c) => (c.nullable === undefined ? '' : c.nullable ? 'yes' : 'no')], ['Comment', (c) => c.comment],
      ], listOf(info.columns), { caption: 'Columns', empty: 'No columns reported.' })],
      ['Properties', () => table([['Key', (p) => p[0]], ['Value', (p) => fmt(p[1])]],
        Object.entries(info.properties || {}), { caption: 'Properties', empty: 'No properties.' })],
      ['Grants', () => section(info, 'grants', (rows) => table([
        ['Principal', (g) => g.principal || g.grantee],
        ['Privileges', (g) => (Array.isArray(g.privileges) ? g.privileges.join(', ') : g.privilege || g.privilege_type || fmt(g.privileges))],
      ], rows, { caption: 'Grants', empty: 'No grants on this table.' }))],
      ['Tags', () => section(info, 'tags', (rows) => table([['Tag', (t) => t[0]], ['Value', (t) => fmt(t[1])]],
        Array.isArray(rows) ? rows.map((t) => [(t.column_name ? `${t.column_name}: ` : '') + (t.tag_name || t.key || t.name), t.tag_value ?? t.value]) : Object.entries(rows),
        { caption: 'Tags', empty: 'No tags.' }))],
      ['Constraints', () => section(info, 'constraints', (rows) => table([
        ['Name', (c) => c.name || c.constraint_name], ['Type', (c) => c.type || c.constraint_type],
        ['Definition', (c) => c.definition || c.expression || c.check_clause || (c.columns ? c.columns.join(', ') : '')],
      ], rows, { caption: 'Constraints', empty: 'No constraints.' }))],
      ['History', () => section(info, 'history', (rows) => table([
        ['Version', (v) => v.version, { num: true }], ['When', (v) => fmtTime(v.timestamp)],
        ['Operation', (v) => v.operation], ['User', (v) => v.userName || v.user_name || v.user],
      ], rows, { caption: 'History', tall: true, empty: 'No history.' }))],
      ['Sample rows', () => sample(ctx, cat, schema, name)],
    ]));
  }).catch((err) => { if (err.name !== 'AbortError') clear(body, errorBox(err, 'Table details')); });
}

function section(info, key, render) {
  if (info[key] === undefined || info[key] === null) {
    return h('p', { class: 'muted' }, `This server does not report ${key} for tables.`);
  }
  // A piece the server could not read is said, not shown as an empty list.
  const why = (Array.isArray(info.unavailable) ? info.unavailable : []).filter((u) => u && u.field === key).map((u) => u.message);
  const out = render(info[key]);
  return why.length ? h('div', null, note('warn', `Some ${key} could not be read`, ...why), out) : out;
}

function sample(ctx, cat, schema, name) {
  const box = h('div', null, loading('Fetching sample rows…'));
  post('/api/sample', { catalog: cat, schema_name: schema, table_name: name, limit: 10 }, { signal: ctx.signal }).then((r) => {
    const rows = listOf(r, 'rows', 'data');
    const cols = rows.length && !Array.isArray(rows[0]) ? Object.keys(rows[0]) : listOf(r.columns).map(nameOf);
    clear(box, table(cols.map((c, i) => [c, (row) => fmt(Array.isArray(row) ? row[i] : row[c])]), rows,
      { caption: 'Sample rows', empty: 'The table is empty.' }));
  }).catch((err) => { if (err.name !== 'AbortError') clear(box, errorBox(err, 'Sample rows')); });
  return box;
}

// Accessible tabs: arrow keys move between tabs; panels render on first view.
export function tabs(defs) {
  const list = h('div', { role: 'tablist', 'aria-label': 'Table details' });
  const panels = h('div');
  const btns = [];
  defs.forEach(([label, render], i) => {
    const tid = nextId('tab');
    const pid = nextId('panel');
    const panel = h('div', { role: 'tabpanel', id: pid, 'aria-labelledby': tid, tabindex: '0', hidden: i !== 0 });
    const btn = h('button', { type: 'button', role: 'tab', id: tid, 'aria-controls': pid, 'aria-selected': String(i === 0), tabindex: i === 0 ? '0' : '-1' }, label);
    let done = false;
    const show = () => {
      btns.forEach((b) => { b.btn.setAttribute('aria-selected', 'false'); b.btn.tabIndex = -1; b.panel.hidden = true; });
      btn.setAttribute('aria-selected', 'true');
      btn.tabIndex = 0;
      panel.hidden = false;
      if (!done) { done = true; panel.append(render()); }
    };
    btn.addEventListener('click', show);
    btn.addEventListener('keydown', (e) => {
      const k = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (e.key === 'Home' || e.key === 'End' || k) {
        e.preventDefault();
        const j = e.key === 'Home' ? 0 : e.key === 'End' ? btns.length - 1 : (i + k + btns.length) % btns.length;
        btns[j].btn.focus();
        btns[j].btn.click();
      }
    });
    btns.push({ btn, panel, show });
    list.append(btn);
    panels.append(panel);
  });
  btns[0].show();
  return h('div', null, list, panels);
}
