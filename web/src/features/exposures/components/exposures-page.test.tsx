import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import type { Exposure } from '@/api/types';
import { ExposuresPage } from './exposures-page';

const exposure = (id: string, project: string, acceptedUntil: string | null = null): Exposure => ({
  id,
  site_id: 's1',
  site_name: 'Acme www',
  organization_id: 'o1',
  project,
  installed_version: '8.x-1.0',
  fixed_by: ['8.x-1.2'],
  advisories: ['SA-CONTRIB-2026-001'],
  severity: 'critical',
  severity_known: true,
  published_at: null,
  detected_at: '2026-11-20T10:00:00Z',
  clock_started_at: '2026-11-20T10:00:00Z',
  due_at: '2099-11-30T10:00:00Z',
  resolved_at: null,
  resolved_version: '',
  state: 'open',
  sla_status: 'within',
  sla_outcome: null,
  accepted_until: acceptedUntil,
});

function stub(role: string) {
  let revoked = false;
  return stubFetch({
    'GET /api/v1/auth/me': () => [200, { data: { id: 'u1', role, organization_id: 'o1' } }],
    'GET /api/v1/organizations': () => [200, { data: [], meta: { total: 0 } }],
    'GET /api/v1/exposures': (url) => {
      const all = [
        exposure('e1', 'token'),
        exposure('e2', 'webform', revoked ? null : '2027-01-15T00:00:00Z'),
      ];
      const accepted = url.searchParams.get('accepted');
      const data = all.filter(
        (e) => accepted === null || (accepted === 'true') === (e.accepted_until !== null),
      );
      return [200, { data, meta: { total: data.length, page: 1, per_page: 50 } }];
    },
    'DELETE /api/v1/exposures/e2/acceptance': () => {
      revoked = true;
      return [204, null];
    },
  });
}

beforeEach(() => session.set({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 1e6 }));
afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

describe('ExposuresPage', () => {
  it('marks accepted exposures and offers org admins to accept or revoke', async () => {
    stub('org_admin');
    renderWithApp(<ExposuresPage />, { route: '/security', path: '/security' });
    const webform = await screen.findByRole('row', { name: /webform/ });
    expect(await within(webform).findByText(/Accepted until Jan 15, 2027/)).toBeInTheDocument();
    expect(within(webform).getByRole('button', { name: /revoke the acceptance/i })).toBeVisible();
    const token = screen.getByRole('row', { name: /token/ });
    expect(within(token).getByText(/^due in \d+ d$/)).toBeInTheDocument();
    expect(within(token).getByRole('link', { name: /SA-CONTRIB-2026-001/ })).toHaveAttribute(
      'target',
      '_blank',
    );
    expect(within(token).getByRole('button', { name: /accept risk/i })).toBeVisible();
  });

  it('hides accept and revoke from members and viewers', async () => {
    stub('member');
    renderWithApp(<ExposuresPage />, { route: '/security', path: '/security' });
    const webform = await screen.findByRole('row', { name: /webform/ });
    await within(webform).findByText(/Accepted until/);
    expect(screen.queryByRole('button', { name: /accept risk/i })).toBeNull();
    expect(screen.queryByRole('button', { name: /revoke/i })).toBeNull();
  });

  it('lists only accepted risks with the filter, in one query', async () => {
    const { calls } = stub('viewer');
    renderWithApp(<ExposuresPage />, { route: '/security?accepted=true', path: '/security' });
    await screen.findByText(/Accepted until/);
    const gets = calls.filter((c) => c.method === 'GET' && !c.url.pathname.endsWith('/auth/me'));
    expect(gets.map((c) => c.url.pathname)).not.toContain('/api/v1/reports/security-updates');
    expect(
      gets.find((c) => c.url.pathname === '/api/v1/exposures')?.url.searchParams.get('accepted'),
    ).toBe('true');
    const rows = within(screen.getByRole('table')).getAllByRole('row');
    expect(rows).toHaveLength(2); // the header and webform
    expect(rows[1]).toHaveTextContent('webform');
  });

  it('revokes after confirming, and shows the update as outstanding again', async () => {
    const { calls } = stub('admin');
    renderWithApp(<ExposuresPage />, { route: '/security', path: '/security' });
    const webform = await screen.findByRole('row', { name: /webform/ });
    await userEvent.click(
      await within(webform).findByRole('button', { name: /revoke the acceptance/i }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Revoke this acceptance?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke acceptance' }));
    await waitFor(() =>
      expect(
        calls.some((c) => c.method === 'DELETE' && c.url.pathname.endsWith('/e2/acceptance')),
      ).toBe(true),
    );
    await waitFor(() =>
      expect(
        within(screen.getByRole('row', { name: /webform/ })).queryByText(/Accepted until/),
      ).toBeNull(),
    );
  });
});

describe('ExposuresPage rows', () => {
  it('opens the drawer when a row is clicked', async () => {
    stub('viewer');
    renderWithApp(<ExposuresPage />, { route: '/security', path: '/security' });
    const token = await screen.findByRole('row', { name: /token/ });
    await userEvent.click(within(token).getByText('critical', { exact: false }));
    expect(await screen.findByRole('dialog', { name: /token on Acme www/ })).toBeInTheDocument();
  });
});
