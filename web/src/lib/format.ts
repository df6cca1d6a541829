const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const dtf = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const df = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

export function formatDateTime(iso?: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : dtf.format(d);
}

export function formatDate(iso?: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : df.format(d);
}

export function formatRelative(iso?: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return 'never';
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, 'second');
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

export type Staleness = 'fresh' | 'stale' | 'silent' | 'never';

/** How fresh a site's last push is: under a day fresh, under a week stale, else silent. */
export function staleness(lastSeen?: string | null, now = Date.now()): Staleness {
  if (!lastSeen) return 'never';
  const age = now - new Date(lastSeen).getTime();
  if (age < 86_400_000) return 'fresh';
  if (age < 7 * 86_400_000) return 'stale';
  return 'silent';
}

export function percent(v?: number | null): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  // Reports may give a ratio (0..1) or a percentage (0..100).
  const p = v <= 1 ? v * 100 : v;
  return `${p.toFixed(p >= 99.95 || p === 0 ? 0 : 1)} %`;
}

/** How far a deadline is: "overdue 245 d", "due today", "due in 12 d". */
export function dueIn(iso?: string | null, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '—';
  const days = Math.floor(Math.abs(t - now) / 86_400_000);
  if (t < now) return days === 0 ? 'overdue today' : `overdue ${days} d`;
  return days === 0 ? 'due today' : `due in ${days} d`;
}
