// The SLA page's period presets and its weekly compliance series: pure functions of a day.

export interface Period {
  from: string;
  to: string;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d));

/** The period presets, for a given today (UTC): every period ends on a whole day. */
export function presets(today: Date): { value: string; label: string; period: Period }[] {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  const q = Math.floor(m / 3) * 3;
  return [
    {
      value: '90d',
      label: 'Last 90 days',
      period: { from: iso(new Date(today.getTime() - 90 * 86_400_000)), to: iso(today) },
    },
    {
      value: 'last-month',
      label: 'Last month',
      period: { from: iso(utc(y, m - 1, 1)), to: iso(utc(y, m, 0)) },
    },
    {
      value: 'last-quarter',
      label: 'Last quarter',
      period: { from: iso(utc(y, q - 3, 1)), to: iso(utc(y, q, 0)) },
    },
    { value: 'ytd', label: 'Year to date', period: { from: iso(utc(y, 0, 1)), to: iso(today) } },
  ];
}

/** A day of the trend report, as the weekly series reads it. */
export interface TrendDay {
  day: string;
  resolved: number;
  compliance_pct?: number | null;
}

export interface WeekPoint {
  /** Monday of the week, YYYY-MM-DD */
  week: string;
  /** % of the week's closures within deadline; undefined when nothing closed (a gap, not 0 %) */
  compliance?: number;
  closed: number;
}

/**
 * Compliance per week (Monday to Sunday, UTC): the closures within deadline over all
 * closures of the week, so a week of one late fix does not weigh like a week of fifty.
 * A week with no closure has no value, and no value is ever above 100 %.
 */
export function weeklyCompliance(days: TrendDay[]): WeekPoint[] {
  const weeks = new Map<string, { within: number; closed: number }>();
  for (const d of days) {
    const t = new Date(`${d.day}T00:00:00Z`);
    const monday = new Date(t.getTime() - ((t.getUTCDay() + 6) % 7) * 86_400_000);
    const key = iso(monday);
    const w = weeks.get(key) ?? { within: 0, closed: 0 };
    if (d.resolved > 0 && d.compliance_pct !== null && d.compliance_pct !== undefined) {
      const pct = Math.min(100, Math.max(0, d.compliance_pct));
      w.within += Math.round((d.resolved * pct) / 100);
      w.closed += d.resolved;
    }
    weeks.set(key, w);
  }
  return [...weeks.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([week, w]) => ({
      week,
      closed: w.closed,
      compliance: w.closed ? Math.min(100, (w.within / w.closed) * 100) : undefined,
    }));
}
