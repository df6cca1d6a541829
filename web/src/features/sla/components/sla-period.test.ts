import { describe, expect, it } from 'vitest';
import { presets, weeklyCompliance } from './sla-period';

describe('presets', () => {
  it('gives whole calendar periods before today', () => {
    const p = Object.fromEntries(
      presets(new Date('2026-12-06T10:00:00Z')).map((x) => [x.value, x.period]),
    );
    expect(p['last-month']).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(p['last-quarter']).toEqual({ from: '2026-07-01', to: '2026-09-30' });
    expect(p.ytd).toEqual({ from: '2026-01-01', to: '2026-12-06' });
  });
  it('reaches into the previous year in January', () => {
    const p = Object.fromEntries(
      presets(new Date('2027-01-15T00:00:00Z')).map((x) => [x.value, x.period]),
    );
    expect(p['last-month']).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(p['last-quarter']).toEqual({ from: '2026-10-01', to: '2026-12-31' });
  });
});

describe('weeklyCompliance', () => {
  it('weighs closures, leaves empty weeks as gaps and never exceeds 100 %', () => {
    const weeks = weeklyCompliance([
      { day: '2026-11-02', resolved: 1, compliance_pct: 0 }, // Monday
      { day: '2026-11-03', resolved: 3, compliance_pct: 100 },
      { day: '2026-11-10', resolved: 0, compliance_pct: null }, // next week: nothing closed
      { day: '2026-11-16', resolved: 2, compliance_pct: 150 },
    ]);
    expect(weeks).toEqual([
      { week: '2026-11-02', closed: 4, compliance: 75 },
      { week: '2026-11-09', closed: 0, compliance: undefined },
      { week: '2026-11-16', closed: 2, compliance: 100 },
    ]);
  });
});
