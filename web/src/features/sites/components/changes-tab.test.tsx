import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import type { SiteChange } from '../api/get-site-changes';
import { ChangesTab, changeSource } from './changes-tab';

const change = (
  module: string,
  from: string,
  to: string,
  more: Partial<SiteChange> = {},
): SiteChange => ({
  at: '2026-11-20T08:00:00Z',
  module,
  module_type: 'module',
  type: 'upgraded',
  from_version: from,
  to_version: to,
  audit_log_id: 'a1',
  audit_log_kind: 'inventory',
  patch_run_id: null,
  patch_run_status: null,
  patch_run_tool: null,
  ...more,
});

beforeEach(() => session.set({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 1e6 }));
afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

describe('changeSource', () => {
  it('names the patch run that brought a change, else the push that reported it', () => {
    expect(changeSource(change('token', '1.0', '1.1'))).toBe('inventory push');
    expect(changeSource(change('token', '1.0', '1.1', { audit_log_kind: 'composer_lock' }))).toBe(
      'composer.lock push',
    );
    expect(
      changeSource(
        change('token', '1.0', '1.1', {
          patch_run_id: 'p1',
          patch_run_tool: 'automatic_updates',
          patch_run_status: 'partial',
        }),
      ),
    ).toBe('patch run (automatic updates, partial)');
  });
});

describe('ChangesTab', () => {
  it('lists a page of changes and asks the API for one project', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/sites/s1/changes': (url) => {
        const all = [
          change('token', '8.x-1.14', '8.x-1.15', {
            patch_run_id: 'p1',
            patch_run_tool: 'composer',
          }),
          change('twig/twig', 'v3.14.0', 'v3.27.0', { module_type: 'library' }),
        ];
        const m = url.searchParams.get('module');
        const rows = m ? all.filter((c) => c.module === m) : all;
        return [200, { data: rows, meta: { total: rows.length, page: 1, per_page: 50 } }];
      },
    });
    function Harness() {
      const [module, setModule] = useState('');
      return (
        <ChangesTab
          siteId="s1"
          siteName="one"
          page={1}
          module={module}
          onChange={(p) => p.module !== undefined && setModule(p.module)}
        />
      );
    }
    renderWithApp(<Harness />);
    const table = await screen.findByRole('table', { name: 'Changes' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(table).getByText('patch run (composer)')).toBeInTheDocument();
    await userEvent.type(
      screen.getByRole('searchbox', { name: /only the changes of project/i }),
      'twig/twig',
    );
    await waitFor(() =>
      expect(
        within(screen.getByRole('table', { name: 'Changes' })).getAllByRole('row'),
      ).toHaveLength(2),
    );
    expect(calls.some((c) => c.url.searchParams.get('module') === 'twig/twig')).toBe(true);
  });
});
