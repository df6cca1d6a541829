import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import { SitesPage } from './sites-page';

const site = (id: string, name: string) => ({
  id,
  name,
  url: `https://${name}.example`,
  description: '',
  organization_id: 'o1',
  is_active: true,
  first_seen_at: null,
  last_seen_at: null,
  core_version: '10.3.6',
  php_version: '8.3',
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
  created_by: null,
  updated_by: null,
});

beforeEach(() => session.set({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 1e6 }));
afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

describe('SitesPage', () => {
  it('sorts through the URL and sends the sort to the API', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/auth/me': () => [
        200,
        { data: { id: 'u1', role: 'viewer', email: 'v@example.com' } },
      ],
      'GET /api/v1/sites': (url) => {
        const rows = [site('1', 'alpha'), site('2', 'beta')];
        if (url.searchParams.get('sort') === '-name') rows.reverse();
        return [200, { data: rows, meta: { total: 2, page: 1, per_page: 25 } }];
      },
    });
    renderWithApp(<SitesPage />, { route: '/sites', path: '/sites' });
    const table = await screen.findByRole('table');
    expect(
      within(table)
        .getAllByRole('link')
        .map((a) => a.textContent),
    ).toEqual(['alpha', 'beta']);
    expect(screen.getByRole('columnheader', { name: /name/i })).toHaveAttribute(
      'aria-sort',
      'ascending',
    );

    await userEvent.click(screen.getByRole('button', { name: /^name/i }));
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent('/sites?sort=-name'),
    );
    await waitFor(() =>
      expect(within(screen.getByRole('table')).getAllByRole('link')[0]).toHaveTextContent('beta'),
    );
    expect(screen.getByRole('columnheader', { name: /name/i })).toHaveAttribute(
      'aria-sort',
      'descending',
    );
    expect(
      calls
        .filter((c) => c.url.pathname === '/api/v1/sites')
        .at(-1)
        ?.url.searchParams.get('sort'),
    ).toBe('-name');
    expect(calls[0].headers.Authorization).toBe('Bearer t');
  });

  it('reads page and search from the URL', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/auth/me': () => [200, { data: { id: 'u1', role: 'viewer' } }],
      'GET /api/v1/sites': () => [200, { data: [], meta: { total: 0, page: 2, per_page: 25 } }],
    });
    renderWithApp(<SitesPage />, { route: '/sites?q=acme&page=2', path: '/sites' });
    expect(await screen.findByText('No site matches your search')).toBeInTheDocument();
    const req = calls.find((c) => c.url.pathname === '/api/v1/sites')!;
    expect(req.url.searchParams.get('q')).toBe('acme');
    expect(req.url.searchParams.get('page')).toBe('2');
  });
});
