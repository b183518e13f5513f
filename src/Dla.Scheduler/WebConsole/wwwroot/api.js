// The console's only way to the server: the scheduler's own JSON API, same origin, with the console's header
// (the server's CSRF check wants it on every state-changing request signed in by the cookie).
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** Validation errors by field name (snake_case, as the API names them). */
  get fields() { return this.problem?.errors ?? {}; }
}

const consoleHeader = { 'X-Dla-Console': '1' };

export async function api(path, { method = 'GET', json, form } = {}) {
  const init = { method, credentials: 'same-origin', headers: { ...consoleHeader, Accept: 'application/json' } };
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not a problem document */ }
    if (response.status === 401 && !path.startsWith('/ui/session')) {
      // The cookie expired or its key was rotated out: back to the sign-in form, then here again.
      window.dispatchEvent(new CustomEvent('dla:signin'));
    }
    throw new ApiError(response.status, problem);
  }
  return response.status === 204 ? null : response.json();
}

export const jobUrl = id => `/jobs/${encodeURIComponent(id)}`;

export const thumbnailUrl = (jobId, imageId, size = 256) => `${jobUrl(jobId)}/images/${imageId}/thumbnail?size=${size}`;
