import { ApiClient, ApiError, describeErrors } from './api-client';
import { SessionStore } from './session';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('ApiClient', () => {
  it('refreshes once on 401, shared by concurrent requests, and retries them', async () => {
    const store = new SessionStore(null);
    store.set({ accessToken: 'old', refreshToken: 'r1', expiresAt: 0 });
    let refreshes = 0;
    const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      if (url.endsWith('/auth/refresh')) {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { data: { access_token: 'new', refresh_token: 'r2', expires_in: 900 } });
      }
      const auth = (init?.headers as Record<string, string>).Authorization;
      return auth === 'Bearer new' ? json(200, { data: { ok: true } }) : json(401, { errors: [] });
    });
    const client = new ApiClient(store, fetchFn as typeof fetch);
    const [a, b] = await Promise.all([client.get('/sites'), client.get('/auth/me')]);
    expect(a).toEqual({ data: { ok: true } });
    expect(b).toEqual({ data: { ok: true } });
    expect(refreshes).toBe(1);
    expect(store.get()?.refreshToken).toBe('r2');
  });

  it('signs out when the refresh token is refused', async () => {
    const store = new SessionStore(null);
    store.set({ accessToken: 'old', refreshToken: 'dead', expiresAt: 0 });
    const fetchFn = vi.fn(async () =>
      json(401, {
        errors: [
          { status: '401', code: 'unauthorized', title: 'Unauthorized', detail: 'Session ended.' },
        ],
      }),
    );
    const client = new ApiClient(store, fetchFn as typeof fetch);
    await expect(client.get('/sites')).rejects.toBeInstanceOf(ApiError);
    expect(store.get()).toBeNull();
  });

  it('leaves alone the session another tab signed in after this one was refused', async () => {
    const storage = new Map<string, string>();
    const shared = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    } as Storage;
    const stale = new SessionStore(shared);
    stale.set({ accessToken: 'old', refreshToken: 'dead', expiresAt: 0 });
    // Another tab signs in: the shared storage holds its session now.
    const other = new SessionStore(shared);
    other.set({ accessToken: 'fresh', refreshToken: 'alive', expiresAt: Date.now() + 1e6 });
    const fetchFn = vi.fn(async () =>
      json(401, { errors: [{ status: '401', code: 'unauthorized', title: 'Unauthorized' }] }),
    );
    await expect(
      new ApiClient(stale, fetchFn as typeof fetch).get('/sites'),
    ).rejects.toBeInstanceOf(ApiError);
    expect(stale.get()).toBeNull();
    // A reload reads the other tab's session, still signed in.
    expect(new SessionStore(shared).get()?.refreshToken).toBe('alive');
    // And a refused session that is still the stored one is removed.
    const alone = new SessionStore(shared);
    await expect(
      new ApiClient(alone, fetchFn as typeof fetch).get('/sites'),
    ).rejects.toBeInstanceOf(ApiError);
    expect(new SessionStore(shared).get()).toBeNull();
  });

  it('turns the error envelope into words with field pointers', async () => {
    const fetchFn = vi.fn(async () =>
      json(422, {
        errors: [
          {
            status: '422',
            code: 'validation_failed',
            title: 'Invalid field',
            detail: 'must be a valid address',
            source: { pointer: '/email' },
          },
        ],
        meta: { request_id: 'req-1' },
      }),
    );
    const client = new ApiClient(new SessionStore(null), fetchFn as typeof fetch);
    const err = (await client.post('/users', {}).catch((e) => e)) as ApiError;
    expect(err.message).toBe('email: must be a valid address');
    expect(err.fieldErrors).toEqual({ email: 'must be a valid address' });
    expect(err.requestId).toBe('req-1');
  });

  it('describes a network failure', () => {
    expect(describeErrors(0, [])).toMatch(/could not be reached/);
  });
});
