// The public API, as any client calls it: bearer token, JSON in and out, problem+json on failure.

export class ApiError extends Error {
  constructor(status, problem, etag) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
    this.etag = etag;
  }

  // Each field error as {field, message}; a problem without any is one message for the whole request.
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

export class Unreachable extends Error {}

export function createApi(baseUrl, token, onUnauthorized) {
  return async function call(path, { method = 'GET', body, headers = {} } = {}) {
    const request = { method, headers: { Accept: 'application/json, application/problem+json', ...headers } };
    const bearer = token();
    if (bearer) request.headers.Authorization = `Bearer ${bearer}`;
    if (body !== undefined) {
      request.headers['Content-Type'] = 'application/json';
      request.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(`${baseUrl}${path}`, request);
    } catch (error) {
      throw new Unreachable(`The service could not be reached (${error.message}).`);
    }
    const payload = await response.text();
    let data = null;
    try {
      data = payload ? JSON.parse(payload) : null;
    } catch {
      data = { title: response.statusText, detail: payload.slice(0, 200) };
    }
    const etag = response.headers.get('ETag');
    if (response.status === 401) onUnauthorized();
    if (!response.ok) throw new ApiError(response.status, data, etag);
    return { data, etag, status: response.status };
  };
}
