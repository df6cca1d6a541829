import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import { NotificationDeliveriesTable } from './notification-deliveries-table';
import { NotificationPreferencesForm, webhookUrlError } from './notification-preferences-form';

beforeEach(() => session.set({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 1e6 }));
afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

const prefs = {
  email: { enabled: true, min_severity: 'critical', sla_breach: true },
  webhook: {},
};

describe('webhookUrlError', () => {
  it('wants an http(s) URL only when the webhook is on', () => {
    expect(webhookUrlError({ enabled: false })).toBeNull();
    expect(webhookUrlError({ enabled: true })).toMatch(/enter the url/i);
    expect(webhookUrlError({ enabled: true, url: 'ftp://x' })).toMatch(/https/);
    expect(webhookUrlError({ enabled: true, url: 'https://hooks.example.com/x' })).toBeNull();
  });
});

describe('NotificationPreferencesForm', () => {
  it('loads the preferences and saves both channels', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/auth/me/notification-preferences': () => [200, { data: prefs }],
      'PUT /api/v1/auth/me/notification-preferences': (_u, init) => [
        200,
        { data: JSON.parse(String(init?.body)) },
      ],
    });
    renderWithApp(<NotificationPreferencesForm />);
    const email = await screen.findByRole('switch', { name: 'Send E-mail notifications' });
    expect(email).toBeChecked();
    await userEvent.click(screen.getByRole('switch', { name: 'E-mail: daily digest' }));
    await userEvent.click(screen.getByRole('switch', { name: 'Send Webhook notifications' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save notification preferences' }));
    expect(await screen.findByText(/enter the url/i)).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    await userEvent.type(screen.getByLabelText('Webhook URL'), 'https://hooks.example.com/fw');
    await userEvent.type(screen.getByLabelText(/signing secret/i), 's3cret');
    await userEvent.click(screen.getByRole('button', { name: 'Save notification preferences' }));
    expect(await screen.findByText('Notification preferences saved.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      email: { enabled: true, min_severity: 'critical', sla_breach: true, daily_digest: true },
      webhook: {
        enabled: true,
        url: 'https://hooks.example.com/fw',
        secret: 's3cret',
        min_severity: 'critical',
        sla_breach: false,
        daily_digest: false,
      },
    });
  }, 15_000); // typing is slow on a busy two-core machine

  it('warns when the server sends no e-mail, and sends a test to the webhook', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/auth/me/notification-preferences': () => [
        200,
        { data: { ...prefs, webhook: { enabled: true, url: 'https://hooks.example.com/fw' } } },
      ],
      'GET /api/v1/auth/me/notification-channels': () => [
        200,
        { data: { email: false, webhook: true } },
      ],
      'POST /api/v1/auth/me/notification-test': () => [
        200,
        {
          data: {
            channel: 'webhook',
            target: 'hooks.example.com',
            sent_at: '2026-12-06T09:00:00Z',
          },
        },
      ],
    });
    renderWithApp(<NotificationPreferencesForm />);
    expect(await screen.findByText('This server sends no e-mail')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send a test e-mail' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Send a test to the webhook' }));
    expect(await screen.findByText('Sent to hooks.example.com.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ channel: 'webhook' });
  });

  it('shows a refusal by the server next to the field', async () => {
    stubFetch({
      'GET /api/v1/auth/me/notification-preferences': () => [
        200,
        { data: { ...prefs, webhook: { enabled: true, url: 'https://x.example' } } },
      ],
      'PUT /api/v1/auth/me/notification-preferences': () => [
        422,
        {
          errors: [
            {
              status: '422',
              code: 'validation_failed',
              title: 'Invalid field',
              detail: 'url must not point to a private address',
              source: { pointer: '/webhook/url' },
            },
          ],
        },
      ],
    });
    renderWithApp(<NotificationPreferencesForm />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Save notification preferences' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(/not saved/);
    await waitFor(() =>
      expect(screen.getAllByText(/must not point to a private address/).length).toBe(2),
    );
  });
});

describe('NotificationDeliveriesTable', () => {
  it('lists deliveries with their status and error', async () => {
    stubFetch({
      'GET /api/v1/auth/me/notification-deliveries': () => [
        200,
        {
          data: [
            {
              id: 'd1',
              channel: 'webhook',
              kind: 'sla.breached',
              key: 'ev1',
              subject: 'token on Acme www is past due',
              target: 'hooks.example.com',
              status: 'failed',
              attempts: 3,
              last_error: 'connection refused',
              sent_at: null,
              next_attempt_at: null,
              created_at: '2026-11-25T10:00:00Z',
              updated_at: '2026-11-25T10:05:00Z',
            },
            {
              id: 'd2',
              channel: 'email',
              kind: 'exposure.opened',
              key: 'ev2',
              subject: 'Critical security update for ctools on Acme www',
              target: 'ops@acme.example',
              status: 'pending',
              attempts: 1,
              last_error: 'smtp: 451 try again later',
              sent_at: null,
              next_attempt_at: '2026-11-25T10:08:00Z',
              created_at: '2026-11-25T10:06:00Z',
              updated_at: '2026-11-25T10:06:00Z',
            },
          ],
          meta: { total: 2, page: 1, per_page: 10 },
        },
      ],
    });
    renderWithApp(<NotificationDeliveriesTable />);
    const row = await screen.findByRole('row', { name: /past due/ });
    expect(row).toHaveTextContent('Webhook');
    expect(row).toHaveTextContent('failed');
    expect(row).toHaveTextContent('connection refused (3 attempts)');
    const pending = await screen.findByRole('row', { name: /ctools/ });
    expect(pending).toHaveTextContent('pending');
    expect(pending).toHaveTextContent('smtp: 451 try again later — retrying');
  });
});
