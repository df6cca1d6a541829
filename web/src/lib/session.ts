// The signed-in session: the access and refresh tokens, kept in
// localStorage so a reload stays signed in. Plain module state (not React)
// so the API client can read and rotate it; React subscribes through
// useSyncExternalStore in lib/auth.tsx.

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** epoch ms when the access token expires */
  expiresAt: number;
}

const KEY = 'fleetwatch.session';
type Listener = () => void;

export class SessionStore {
  private tokens: Tokens | null;
  private listeners = new Set<Listener>();

  constructor(private storage: Storage | null = globalThis.localStorage ?? null) {
    this.tokens = this.read();
  }

  private read(): Tokens | null {
    try {
      const raw = this.storage?.getItem(KEY);
      return raw ? (JSON.parse(raw) as Tokens) : null;
    } catch {
      return null;
    }
  }

  get = (): Tokens | null => this.tokens;

  set(tokens: Tokens | null) {
    this.tokens = tokens;
    try {
      if (tokens) this.storage?.setItem(KEY, JSON.stringify(tokens));
      else this.storage?.removeItem(KEY);
    } catch {
      // private mode: the session lives until the tab closes
    }
    this.listeners.forEach((l) => l());
  }

  /**
   * Ends this tab's session when its refresh token was refused. The stored
   * session is removed only when it is still the one refused: another tab
   * may have signed in since (the storage is shared), and its session is
   * not this tab's to end.
   */
  endRefused(refreshToken: string) {
    this.tokens = null;
    try {
      if (this.read()?.refreshToken === refreshToken) this.storage?.removeItem(KEY);
    } catch {
      // private mode: nothing is stored
    }
    this.listeners.forEach((l) => l());
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}

export const session = new SessionStore();
