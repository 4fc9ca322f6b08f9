// Fuzz every route of /api/openapi.json with malformed input: broken JSON,
// wrong types, huge values, path traversal and SQL/shell injection strings
// in path params, query and body. Requests use node:http with raw paths
// (URL parsing would resolve "../" before sending).
//   node fuzz_api.mjs PORT  ->  one JSON line per suspicious answer, then
//   {"summary": {...}} as the last line.
// Suspicious: a 5xx, a non-JSON error body, or no answer at all.
// Routes that change state but take neither a path parameter nor a body
// are skipped: no malformed request can reach them, and a well-formed one
// would legitimately act.
import http from 'node:http';

const port = Number(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

function request(method, path, body, headers = {}) {
  return new Promise((resolve) => {
    const h = { ...headers };
    if (body !== undefined) {
      h['Content-Type'] = h['Content-Type'] || 'application/json';
      h['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'] || '',
        body: Buffer.concat(chunks).toString() }));
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, type: '', body: String(e) }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const evil = [
  '../../../../etc/passwd', '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc', "x'%20OR%20'1'='1",
  "x%27%3B%20DROP%20TABLE%20t%3B%20--", '%60id%60', '%24(touch%20%2Ftmp%2Fclxs-fuzz-pwned)', '%3Bls%20-la',
  '%00', '%ZZ', '%C3%A9%E2%82%AC', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'a'.repeat(5000), '%FF%FE',
  'demo.bronze.customers', '*', '%20',
];
const evilValues = [
  "x' OR '1'='1", "'; DROP CATALOG demo CASCADE; --", '`; DROP TABLE demo.bronze.orders; --`',
  '$(touch /tmp/clxs-fuzz-pwned)', '../../../../etc/passwd', '\u0000', 'a'.repeat(100000), '\u202e\ud83d\ude00',
];
const malformed = ['{', '[1,2', 'nul', '"a string"', '[]', '123', '{"a":}', '{"a":1,}', '[' .repeat(20000),
  '{"x": 1e999999}', '{"x": "\\ud800"}', '\u0000{}', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1')];

function wrongValues(schema) {
  const t = schema && schema.type;
  const huge = [1e308, -9223372036854775809, 99999999999999999999999, -1, 0.5];
  switch (t) {
    case 'string': return [12345, true, { a: 1 }, [1], null, 'x'.repeat(200000)];
    case 'integer': case 'number': return ['abc', true, [1], { a: 1 }, ...huge];
    case 'boolean': return ['yes', 1, null, [true]];
    case 'array': return ['not-an-array', 7, { a: 1 }, Array(20000).fill("'; DROP TABLE x; --"), [[[[[]]]]]];
    case 'object': return ['str', 7, [1, 2], { "'; DROP": { $ne: 1 } }];
    default: return ['str', 7, null, [1], { a: 1 }];
  }
}

// A body with plausible values for the required fields: names that exist
// nowhere, so even a handler that wrongly accepted it could not touch data.
function plausible(schema) {
  const o = {};
  for (const name of (schema && schema.required) || []) {
    const p = (schema.properties || {})[name] || {};
    o[name] = p.enum ? p.enum[0] : p.type === 'integer' || p.type === 'number' ? 1 : p.type === 'boolean' ? false
      : p.type === 'array' ? [] : p.type === 'object' ? {} : `fuzz_nowhere_${name}`;
  }
  return o;
}

const doc = JSON.parse((await request('GET', '/api/openapi.json')).body);
let sent = 0, suspicious = 0, slow = 0, skipped = [];
const routes = [];
for (const [pattern, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) routes.push({ pattern, method: method.toUpperCase(), op });
}

async function check(route, what, method, path, body, headers) {
  const r = await request(method, path, body, headers);
  sent++;
  const documented = Object.keys(route.op.responses || {});
  let why = null;
  if (r.status === 0 && r.body.includes('timeout')) {
    // Slow is not broken, but worth a look: reported, not counted.
    slow++;
    out({ slow: `${route.method} ${route.pattern}`, case: what, path: path.slice(0, 200) });
    return;
  }
  if (r.status === 0) why = 'no answer: ' + r.body.slice(0, 200);
  else if (r.status >= 500 && !documented.includes(String(r.status))) why = `status ${r.status}`;
  // nginx itself refuses some requests before routing (a NUL byte, a bad
  // escape, "../" above the root) with its plain 400 page: that is fine.
  else if (r.status >= 400 && path.startsWith('/api/') && !path.startsWith('/api/clone/ws/') &&
           !([400, 405, 414].includes(r.status) && r.body.startsWith('<html>'))) {
    try { const j = JSON.parse(r.body); if (typeof j !== 'object' || j === null) why = 'error body is not a JSON object'; }
    catch { why = 'error body is not JSON'; }
  }
  if (why) {
    suspicious++;
    out({ route: `${route.method} ${route.pattern}`, case: what, method, path: path.slice(0, 200), status: r.status,
      why, body: r.body.slice(0, 300) });
  }
}

for (const route of routes) {
  const { pattern, method, op } = route;
  const params = op.parameters || [];
  const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
  const queryParams = params.filter((p) => p.in === 'query');
  const schema = op.requestBody && op.requestBody.content && op.requestBody.content['application/json']
    ? op.requestBody.content['application/json'].schema : null;
  const fill = (name, value) => pattern.replace(/\{([^}]+)\}/g, (_, n) => (n === name ? value : 'fuzz_nowhere'));
  const base = fill(null, null);
  if (method !== 'GET' && pathParams.length === 0 && !schema) { skipped.push(`${method} ${pattern}`); continue; }
  const malBody = schema ? '{' : undefined;

  // Path parameters: traversal and injection in each slot, with a body that
  // cannot parse, so a state-changing route can never act.
  for (const name of pathParams)
    for (const v of evil) await check(route, `path ${name}`, method, fill(name, v), method === 'GET' ? undefined : (malBody ?? '{'));

  // Query parameters (GET only acts as a read; others get a broken body).
  for (const q of queryParams) {
    const vals = [...evil.slice(0, 12), 'abc', '-1', '99999999999999999999', '1e308', ''];
    for (const v of vals)
      await check(route, `query ${q.name}`, method, `${base}?${q.name}=${v}&${q.name}=again`,
        method === 'GET' ? undefined : (malBody ?? '{'));
  }

  if (!schema) continue;
  // Malformed JSON and wrong content types.
  for (const m of malformed) await check(route, 'malformed json', method, base, m);
  await check(route, 'form body', method, base, 'a=1&b=2', { 'Content-Type': 'application/x-www-form-urlencoded' });
  // Wrong types and huge values, one property at a time, on top of a body
  // whose required fields are plausible.
  const props = Object.entries(schema.properties || {});
  for (const [name, ps] of props) {
    for (const w of wrongValues(ps)) {
      const body = { ...plausible(schema), [name]: w };
      await check(route, `wrong ${name}`, method, base, JSON.stringify(body));
    }
  }
  // Unknown fields, and every field at once with injection strings.
  await check(route, 'injection everywhere', method, base,
    JSON.stringify(Object.fromEntries(props.map(([n]) => [n, evilValues[1]]))));
}
out({ summary: { routes: routes.length, requests: sent, suspicious, slow, skipped } });
