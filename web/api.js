// The HTTP API, called with the session's bearer token. A refusal becomes an ApiError carrying
// the problem document (RFC 9457), so pages can show its message where the user acted.

import { session } from './auth.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let onSessionEnded = () => {};
/** What to do when the API says the session is over (401). */
export const whenSessionEnds = (callback) => { onSessionEnded = callback; };

/** Calls the API; answers the parsed body (null for 204), or throws ApiError. */
export async function api(method, path, body, { headers = {}, etag = false } = {}) {
  const init = { method, headers: { Authorization: `Bearer ${session.token()}`, ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ title: response.statusText, detail: `HTTP ${response.status}` }));
    if (response.status === 401) onSessionEnded(problem);
    throw new ApiError(response.status, problem);
  }
  const data = response.status === 204 ? null
    : (response.headers.get('Content-Type') || '').includes('json') ? await response.json()
      : await response.text();
  return etag ? { data, etag: response.headers.get('ETag') } : data;
}

export const get = (path, options) => api('GET', path, undefined, options);
export const enc = encodeURIComponent;
