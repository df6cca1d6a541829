import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import { ExposuresPage } from './exposures-page';

const exposure = (id: string, project: string) => ({
  id,
  site_id: 's1',
  site_name: 'Acme www',
  organization_id: 'o1',
  project,
  installed_version: '8.x-1.0',
  fixed_by: ['8.x-1.2'],
  advisories: [],
  severity: 'critical',
  severity_known: true,
  published_at: null,
  detected_at: '2026-11-20T10:00:00Z',
  clock_started_at: '2026-11-20T10:00:00Z',
  due_at: '2026-11-30T10:00:00Z',
  resolved_at: null,
  resolved_version: '',
  state: 'open',
  sla_status: 'within',
  sla_outcome: null,
});
const reportRow = (id: string, project: string, until: string | null) => ({
  exposure_id: id,
  organization_id: 'o1',
  site_id: 's1',
  site_name: 'Acme www',
  site_url: 'https://www.acme.example',
  project,
  installed_version: '8.x-1.0',
  fixed_versions: ['8.x-1.2'],
  severity: 'critical',
  detected_at: '2026-11-20T10:00:00Z',
  due_at: '2026-11-30T10:00:00Z',
  age_days: 5,
  sla_state: until ? 'accepted' : 'within',
  accepted_until: until,
});

function stub(role: string) {
  return stubFetch({
    'GET /api/v1/auth/me': () => [200, { data: { id: 'u1', role, organization_id: 'o1' } }],
    'GET /api/v1/organizations': () => [200, { data: [], meta: { total: 0 } }],
    'GET /api/v1/exposures': () => [
      200,
      {
        data: [exposure('e1', 'token'), exposure('e2', 'webform')],
        meta: { total: 2, page: 1, per_page: 50 },
      },
    ],
    'GET /api/v1/reports/security-updates': () => [
      200,
      {
        data: [reportRow('e1', 'token', null), reportRow('e2', 'webform', '2027-01-15T00:00:00Z')],
        meta: { total: 2, page: 1, per_page: 500 },
      },
    ],
    'DELETE /api/v1/exposures/e2/acceptance': () => [204, null],
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
    expect(within(token).getByText('Within SLA')).toBeInTheDocument();
    expect(within(token).getByRole('button', { name: /accept the risk/i })).toBeVisible();
  });

  it('hides accept and revoke from members and viewers', async () => {
    stub('member');
    renderWithApp(<ExposuresPage />, { route: '/security', path: '/security' });
    const webform = await screen.findByRole('row', { name: /webform/ });
    await within(webform).findByText(/Accepted until/);
    expect(screen.queryByRole('button', { name: /accept the risk/i })).toBeNull();
    expect(screen.queryByRole('button', { name: /revoke/i })).toBeNull();
  });

  it('lists only accepted risks with the filter', async () => {
    stub('viewer');
    renderWithApp(<ExposuresPage />, { route: '/security?accepted=true', path: '/security' });
    await screen.findByText(/Accepted until/);
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
