import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import { IntegrationKeys } from './integration-keys';

const org = {
  id: 'o1',
  name: 'Acme Agency',
  tax_id: '',
  is_active: true,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
  created_by: null,
  updated_by: null,
} as never;
const key = (id: string, name: string, revoked: string | null = null) => ({
  id,
  kind: 'integration',
  name,
  prefix: 'fwk_abcd',
  scope: 'read',
  organization_id: 'o1',
  site_id: null,
  created_at: '2026-11-20T10:00:00Z',
  created_by: null,
  last_used_at: null,
  revoked_at: revoked,
});

beforeEach(() => session.set({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 1e6 }));
afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

describe('IntegrationKeys', () => {
  it('creates a key with a scope and shows it once with a copy button', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const keys = [key('k1', 'grafana')];
    const { calls } = stubFetch({
      'GET /api/v1/organizations/o1/api-keys': () => [
        200,
        { data: keys, meta: { total: keys.length, page: 1, per_page: 100 } },
      ],
      'POST /api/v1/organizations/o1/api-keys': () => {
        keys.unshift(key('k2', 'ci'));
        return [201, { data: { ...key('k2', 'ci'), scope: 'write', key: 'fwk_secret_999' } }];
      },
    });
    renderWithApp(<IntegrationKeys org={org} />);
    await screen.findByRole('row', { name: /grafana/ });
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText(/name the key/i)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/new integration key name/i), 'ci');
    await userEvent.selectOptions(screen.getByLabelText('Scope'), 'write');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Integration key created' });
    expect(within(dialog).getByText('fwk_secret_999')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'ci', scope: 'write' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('fwk_secret_999');
    await userEvent.click(within(dialog).getByRole('button', { name: /saved the key/i }));
    await waitFor(() => expect(screen.queryByText('fwk_secret_999')).toBeNull());
    expect(await screen.findByRole('row', { name: /ci/ })).toBeInTheDocument();
  });

  it('revokes only after confirming', async () => {
    let revoked = false;
    const { calls } = stubFetch({
      'GET /api/v1/organizations/o1/api-keys': () => [
        200,
        {
          data: [key('k1', 'grafana', revoked ? '2026-11-25T10:00:00Z' : null)],
          meta: { total: 1, page: 1, per_page: 100 },
        },
      ],
      'DELETE /api/v1/organizations/o1/api-keys/k1': () => {
        revoked = true;
        return [204, null];
      },
    });
    renderWithApp(<IntegrationKeys org={org} />);
    const row = await screen.findByRole('row', { name: /grafana/ });
    await userEvent.click(within(row).getByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke this integration key?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.click(within(row).getByRole('button', { name: 'Revoke' }));
    await userEvent.click(
      within(await screen.findByRole('dialog', { name: 'Revoke this integration key?' })).getByRole(
        'button',
        { name: 'Revoke key' },
      ),
    );
    expect(await screen.findByText(/^Revoked/)).toBeInTheDocument();
  });
});
