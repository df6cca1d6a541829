import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import { SlaPolicyForm } from './sla-policy-form';

const policy = {
  organization_id: 'o1',
  version: 0,
  deadlines: {
    highly_critical: 1,
    critical: 3,
    moderately_critical: 14,
    less_critical: 30,
    not_critical: 90,
  },
  clock_start: 'published',
  created_at: null,
  created_by: null,
};

beforeEach(() => session.set({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 1e6 }));
afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

describe('SlaPolicyForm', () => {
  it('saves the deadlines and clock start as the API documents them', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/organizations/o1/sla-policy': () => [200, { data: policy }],
      'PUT /api/v1/organizations/o1/sla-policy': (_u, init) => [
        200,
        {
          data: {
            ...policy,
            ...JSON.parse(String(init?.body)),
            version: 1,
            created_at: '2026-11-25T10:00:00Z',
          },
        },
      ],
    });
    renderWithApp(<SlaPolicyForm orgId="o1" canEdit />);
    expect(await screen.findByText(/default deadlines/)).toBeInTheDocument();
    const critical = screen.getByLabelText('Critical (days)');
    await userEvent.clear(critical);
    await userEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect(await screen.findByText('Enter a whole number of days.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    await userEvent.type(critical, '5');
    await userEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect(await screen.findByText(/Policy saved \(version 1\)/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      deadlines: { ...policy.deadlines, critical: 5 },
      clock_start: 'published',
    });
    expect(screen.getByText(/Version 1, saved/)).toBeInTheDocument();
  });

  it('is read-only below org admin', async () => {
    stubFetch({ 'GET /api/v1/organizations/o1/sla-policy': () => [200, { data: policy }] });
    renderWithApp(<SlaPolicyForm orgId="o1" canEdit={false} />);
    const form = await screen.findByRole('form', { name: 'SLA policy' });
    expect(within(form).getByLabelText('Critical (days)')).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Save policy' })).toBeNull();
  });
});
