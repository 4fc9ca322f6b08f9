// The one door to the server: every call goes through api() so errors come
// back as ApiError with a message a user can act on, and a route this
// server does not have (404 "no API route", 405) is marked `unavailable`
// so pages can say "not available on this server" instead of failing.

export class ApiError extends Error {
  constructor({ status = 0, code = '', message = '', detail = null, hint = '', unavailable = false, path = '' }) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.hint = hint;
    this.unavailable = unavailable;
    this.path = path;
  }
}

// Turn a raw error response into words and a next step.
function explain(status, body, path) {
  const code = body && typeof body === 'object' ? body.error_code || '' : '';
  const raw = body && typeof body === 'object' ? body.message || body.error || '' : '';
  const detail = body && typeof body === 'object' ? body.detail ?? null : null;
  const e = { status, code, detail, path, message: raw, hint: '' };
  const noRoute = status === 404 && (/^no API route/i.test(raw) || !code);
  if (noRoute || status === 405 || status === 501) {
    e.unavailable = true;
    e.message = 'This feature is not available on this server.';
    e.hint = `The server has no ${path.split('?')[0]} endpoint; it may be an older version of Clone-Xs.`;
    return e;
  }
  switch (status) {
    case 400:
      e.message = raw || 'The request was not understood.';
      e.hint = detail ? `Check the value of "${detail}".` : 'Check the values you entered.';
      break;
    case 401:
      if (detail === 'api_token') {
        e.needsToken = true;
        e.message = 'This server requires its access token.';
        e.hint = 'Enter the server access token under Connect (ask whoever runs the server for it).';
      } else {
        e.message = raw || 'You are not signed in to a workspace.';
        e.hint = 'Open Connect and sign in again, or switch to the embedded lakehouse.';
      }
      break;
    case 403:
      e.message = raw || 'Permission denied.';
      e.hint = 'Your identity lacks a privilege for this; ask an owner of the catalog to grant it.';
      break;
    case 404:
      e.message = raw || 'Not found.';
      e.hint = 'It may have been removed or renamed; refresh the list and try again.';
      break;
    case 409:
      e.message = raw || 'This conflicts with the current state.';
      e.hint = 'Refresh to see the current state, then try again.';
      break;
    case 413:
      e.message = raw || 'The request is too large.';
      e.hint = 'Send less at once.';
      break;
    case 422:
      e.message = raw || 'Some input is not valid.';
      e.hint = detail ? `Fix the field "${detail}" and submit again.` : 'Fix the highlighted input and submit again.';
      break;
    case 429:
      e.message = raw || 'Too many requests.';
      e.hint = 'Wait a few seconds and try again.';
      break;
    case 502: case 503: case 504:
      e.message = raw || 'The server is temporarily unavailable.';
      e.hint = 'Check that the Clone-Xs service is running (clxs status), then retry.';
      break;
    default:
      e.message = raw || `The server answered with status ${status}.`;
      e.hint = status >= 500 ? 'This is a server-side failure; the server logs have the details. Retrying may help.' : '';
  }
  return e;
}

// The server's own access token (needed only when it listens beyond
// loopback). Kept for this browser tab only, sent as X-API-Token.
const TOKEN_KEY = 'clxs-api-token';
export const serverToken = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  set: (t) => (t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY)),
};

export async function api(method, path, body, opts = {}) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin', signal: opts.signal };
  const tok = serverToken.get();
  if (tok) init.headers['X-API-Token'] = tok;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError({
      status: 0, code: 'NETWORK', path,
      message: 'Cannot reach the Clone-Xs server.',
      hint: 'Check your network and that the service is running (clxs status), then retry.',
    });
  }
  const text = await resp.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!resp.ok) throw new ApiError(explain(resp.status, data, path));
  if (text && data === null) {
    throw new ApiError({ status: resp.status, code: 'BAD_RESPONSE', path,
      message: 'The server sent a response that is not JSON.',
      hint: 'A proxy in between may be misconfigured; check that /api/ reaches Clone-Xs.' });
  }
  return data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
export const patch = (path, body, opts) => api('PATCH', path, body ?? {}, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

// Path segment encoder for catalog/schema/table names.
export const seg = (s) => encodeURIComponent(String(s));

// Terminal job states: nothing more will happen to the job.
export const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'succeeded', 'error']);

// Wait for a job to finish by polling; onUpdate sees every snapshot. Used
// for the short jobs the UI starts itself (dry runs, demo data). The
// signal stops it when the user leaves the page.
export async function waitJob(path, { onUpdate, signal, interval = 700 } = {}) {
  for (;;) {
    const job = await get(path, { signal });
    if (onUpdate) onUpdate(job);
    if (TERMINAL.has(job.status)) return job;
    await sleep(interval, signal);
  }
}

export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    if (signal) {
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new DOMException('aborted', 'AbortError'));
      }, { once: true });
    }
  });
}

// Some operations answer directly, others (on a slow workspace) return a
// job; either way the caller gets the final result.
export async function resultOf(data, { signal, onUpdate } = {}) {
  if (data && typeof data === 'object' && data.job_id && data.status && !data.result &&
      ['queued', 'running', 'pending'].includes(data.status)) {
    const job = await waitJob(`/api/jobs/${seg(data.job_id)}`, { signal, onUpdate });
    if (job.status !== 'completed') {
      throw new ApiError({ status: 500, code: 'JOB_FAILED', path: `/api/jobs/${data.job_id}`,
        message: (job.error && (job.error.message || job.error)) || `The job ended as ${job.status}.`,
        hint: 'Open the job under Jobs for its log.' });
    }
    return job.result;
  }
  return data;
}
