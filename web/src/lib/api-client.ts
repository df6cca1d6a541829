// The API client: a fetch wrapper that sends the bearer token, refreshes it
// once on a 401 (one refresh at a time, shared by every request that needs
// it), unwraps `{data, meta, links}` and turns the error envelope into an
// ApiError whose message reads as words.
import type { ErrorObject } from '@/api/types';
import { session, type SessionStore, type Tokens } from './session';

export const API_PREFIX = '/api/v1';

/** An error answered by the API, or a network failure (status 0). */
/** What a CSV export held (from its answer's headers; undefined from a server without them). */
export interface CsvExport {
  rows?: number;
  total?: number;
  limit?: number;
  truncated: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorObject[],
    readonly requestId?: string,
  ) {
    super(describeErrors(status, errors));
    this.name = 'ApiError';
  }

  /** Field name → message, from `source.pointer` (`/email` → `email`). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const pointer = pointerOf(e);
      if (pointer)
        out[pointer.replace(/^\/(body\/)?/, '').replace(/\//g, '.')] = e.detail ?? e.title;
    }
    return out;
  }
}

/** True when err is an API answer with that status (404: the route or the resource is absent). */
export function isStatus(err: unknown, status: number): boolean {
  return err instanceof ApiError && err.status === status;
}

function pointerOf(e: ErrorObject): string | undefined {
  const src = e.source as { pointer?: string; parameter?: string } | null | undefined;
  return src?.pointer ?? (src?.parameter ? `/${src.parameter}` : undefined);
}

export function describeErrors(status: number, errors: ErrorObject[]): string {
  if (status === 0) return 'The server could not be reached. Check your connection and try again.';
  if (!errors.length) return `The server answered ${status}.`;
  return errors
    .map((e) => {
      const text = e.detail || e.title || `Error ${e.status}`;
      const pointer = pointerOf(e);
      return pointer && !text.toLowerCase().includes(pointer.slice(1).toLowerCase())
        ? `${pointer.slice(1)}: ${text}`
        : text;
    })
    .join(' ');
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Query;
  /** skip the bearer token and the refresh (login, mfa, refresh) */
  anonymous?: boolean;
  accept?: string;
  signal?: AbortSignal;
}

export function buildURL(path: string, query?: Query): string {
  const url = path.startsWith('/api/') ? path : API_PREFIX + path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

export function tokensFrom(answer: {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
}): Tokens {
  return {
    accessToken: answer.access_token ?? '',
    refreshToken: answer.refresh_token ?? '',
    expiresAt: Date.now() + (answer.expires_in ?? 900) * 1000,
  };
}

export class ApiClient {
  private refreshing: Promise<boolean> | null = null;

  constructor(
    private store: SessionStore = session,
    private fetchFn: typeof fetch = (...a) => globalThis.fetch(...a),
  ) {}

  /** Sends a request and answers the parsed JSON body (the whole envelope), or undefined for 204. */
  async request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(path, opts);
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('Content-Type') ?? '';
    if (!type.includes('json')) return (await res.text()) as T;
    return (await res.json()) as T;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal) {
    return this.request<T>(path, { query, signal });
  }
  post<T>(path: string, body?: unknown) {
    return this.request<T>(path, { method: 'POST', body });
  }
  patch<T>(path: string, body: unknown) {
    return this.request<T>(path, { method: 'PATCH', body });
  }
  put<T>(path: string, body: unknown) {
    return this.request<T>(path, { method: 'PUT', body });
  }
  delete<T = void>(path: string) {
    return this.request<T>(path, { method: 'DELETE' });
  }

  /**
   * Downloads a list as CSV (`Accept: text/csv`) and saves it as filename. The server
   * exports every row that matches the query (page and per_page do not apply), up to
   * its export limit; the answer says how many rows the file holds and how many matched.
   */
  async downloadCSV(path: string, query: Query | undefined, filename: string): Promise<CsvExport> {
    const res = await this.send(path, { query: { ...query, format: 'csv' }, accept: 'text/csv' });
    const count = (name: string) => {
      const v = res.headers.get(name);
      return v === null || v === '' ? undefined : Number(v);
    };
    const blob = await res.blob();
    const href = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = href;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 1000);
    return {
      rows: count('X-Export-Rows'),
      total: count('X-Total-Count'),
      limit: count('X-Export-Limit'),
      truncated: res.headers.get('X-Export-Truncated') === 'true',
    };
  }

  private async send(path: string, opts: RequestOptions, retried = false): Promise<Response> {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const tokens = this.store.get();
    if (!opts.anonymous && tokens?.accessToken) {
      headers.Authorization = `Bearer ${tokens.accessToken}`;
    }
    let res: Response;
    try {
      res = await this.fetchFn(buildURL(path, opts.query), {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new ApiError(0, []);
    }
    if (res.status === 401 && !opts.anonymous && !retried && tokens?.refreshToken) {
      if (await this.refresh(tokens)) return this.send(path, opts, true);
    }
    if (!res.ok) throw await toApiError(res);
    return res;
  }

  /** Rotates the refresh token; concurrent callers share one request. */
  refresh(stale: Tokens | null = this.store.get()): Promise<boolean> {
    const current = this.store.get();
    // Another request already rotated the tokens: just retry with them.
    if (current && stale && current.accessToken !== stale.accessToken) return Promise.resolve(true);
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.store.get()?.refreshToken;
    if (!refreshToken) return false;
    try {
      const answer = await this.request<{
        data: { access_token?: string; refresh_token?: string; expires_in?: number };
      }>('/auth/refresh', {
        method: 'POST',
        body: { refresh_token: refreshToken },
        anonymous: true,
      });
      this.store.set(tokensFrom(answer.data));
      return true;
    } catch (err) {
      // The session is over (expired, revoked or reused): sign out here too,
      // leaving alone a session another tab has signed in since.
      if (err instanceof ApiError && err.status !== 0) this.store.endRefused(refreshToken);
      return false;
    }
  }
}

async function toApiError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { errors?: ErrorObject[]; meta?: { request_id?: string } };
    return new ApiError(res.status, body.errors ?? [], body.meta?.request_id);
  } catch {
    return new ApiError(res.status, [
      {
        status: String(res.status),
        code: 'http_error',
        title: res.statusText || `HTTP ${res.status}`,
      },
    ]);
  }
}

export const api = new ApiClient();
