import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp } from '@/testing/render';
import type { OpenExposure } from '../api/get-open-exposures';
import { Deadline, rankSites } from './site-risk-table';

const now = Date.parse('2026-12-06T12:00:00Z');
const row = (over: Partial<OpenExposure>): OpenExposure =>
  ({
    exposure_id: 'x',
    organization_id: 'o',
    site_id: 's1',
    site_name: 'Shop',
    site_url: 'https://shop.example',
    project: 'webform',
    installed_version: '6.2.0',
    fixed_versions: ['6.2.1'],
    severity: 'critical',
    detected_at: '2026-01-01T00:00:00Z',
    due_at: '2026-01-04T00:00:00Z',
    age_days: 300,
    sla_state: 'breached',
    accepted_until: null,
    ...over,
  }) as OpenExposure;

describe('rankSites', () => {
  it('does not count accepted risks as past due, nor their deadlines as next', () => {
    const [r] = rankSites(
      [
        row({ exposure_id: 'a', sla_state: 'accepted', accepted_until: '2027-01-01T00:00:00Z' }),
        row({ exposure_id: 'b', sla_state: 'within', due_at: '2026-12-20T00:00:00Z' }),
      ],
      now,
    );
    expect(r).toMatchObject({ open: 2, overdue: 0, accepted: 1, nextDue: '2026-12-20T00:00:00Z' });
  });
  it('counts a past deadline as past due', () => {
    const [r] = rankSites([row({ sla_state: 'breached' })], now);
    expect(r).toMatchObject({ open: 1, overdue: 1, accepted: 0 });
  });
});

describe('Deadline', () => {
  it('shows a past deadline as overdue in days', () => {
    renderWithApp(<Deadline at="2026-04-05T12:00:00Z" now={now} />);
    expect(screen.getByText('overdue 245 d')).toBeInTheDocument();
  });
  it('shows a future deadline as a date', () => {
    renderWithApp(<Deadline at="2026-12-20T00:00:00Z" now={now} />);
    expect(screen.queryByText(/overdue/)).toBeNull();
    expect(screen.getByText('Dec 20, 2026')).toBeInTheDocument();
  });
});
