// The one way the UI talks to the server: base URL, JSON, the `x-ops: 1` header every change
// must carry (DESIGN §9), and problem+json errors turned into ApiError with their field errors.

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }

  // The first message for a field, so a form can show it beside that field.
  fieldError(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field)?.message;
  }

  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) out[e.field] ??= e.message;
    return out;
  }

  // The server answers an unknown route with 404 "no route for …"; an absent feature, not a missing record.
  get isMissingRoute(): boolean {
    return (this.status === 404 && /^no route\b/i.test(this.problem.detail ?? '')) || this.status === 405;
  }
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Api {
  readonly base: string;
  get<T>(path: string): Promise<T>;
  send<T>(method: Exclude<Method, 'GET'>, path: string, body?: unknown): Promise<T>;
  // Raw fetch through the same base and credentials, for the few callers that need headers.
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export interface ApiOptions {
  base?: string;
  fetch?: typeof globalThis.fetch;
}

const problemOf = async (response: Response): Promise<Problem> => {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    if (parsed && typeof parsed === 'object') return { ...parsed, status: response.status };
  } catch {
    // not JSON: a proxy's error page, say
  }
  return { status: response.status, title: response.statusText, detail: text.slice(0, 200) || `HTTP ${response.status}` };
};

export const createApi = (options: ApiOptions = {}): Api => {
  const base = options.base ?? '';
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  const call = async <T>(method: Method, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') headers['x-ops'] = '1';
    const init: RequestInit = { method, headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await doFetch(base + path, init);
    } catch (error) {
      // status 0: the server could not be reached at all
      throw new ApiError({ status: 0, title: 'Network error', detail: `cannot reach the server (${(error as Error).message})` });
    }
    if (!response.ok) throw new ApiError(await problemOf(response));
    if (response.status === 204) return undefined as T;
    // The UI's own fallback route answers unknown GET paths with index.html: not an API answer.
    if (!/json/i.test(response.headers.get('content-type') ?? 'application/json')) {
      throw new ApiError({ status: 404, title: 'Not Found', detail: `no route for ${method} ${path}` });
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };

  return {
    base,
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
    fetch: (path, init = {}) => doFetch(base + path, { credentials: 'same-origin', ...init }),
  };
};

export const tenantPath = (tenant: string, rest = '') => `/api/schedules/${encodeURIComponent(tenant)}${rest}`;
