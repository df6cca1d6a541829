import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import { SignInForm } from './sign-in-form';

afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

describe('SignInForm', () => {
  it('signs in with a password', async () => {
    const { calls } = stubFetch({
      'POST /api/v1/auth/login': () => [
        200,
        { data: { access_token: 'a', refresh_token: 'r', expires_in: 900, token_type: 'Bearer' } },
      ],
    });
    const done = vi.fn();
    renderWithApp(<SignInForm onSignedIn={done} />);
    await userEvent.type(screen.getByLabelText(/e-mail/i), 'ops@example.com');
    await userEvent.type(screen.getByLabelText(/^password/i), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(calls[0].body).toEqual({ email: 'ops@example.com', password: 'secret-password' });
    expect(session.get()?.accessToken).toBe('a');
  });

  it('asks for a TOTP code, then accepts a backup code', async () => {
    const { calls } = stubFetch({
      'POST /api/v1/auth/login': () => [200, { data: { mfa_required: true, mfa_token: 'mfa-1' } }],
      'POST /api/v1/auth/mfa': (_u, init) => {
        const body = JSON.parse(String(init?.body));
        return body.code === 'abcd-efgh'
          ? [200, { data: { access_token: 'a2', refresh_token: 'r2', expires_in: 900 } }]
          : [
              401,
              {
                errors: [
                  {
                    status: '401',
                    code: 'unauthorized',
                    title: 'Unauthorized',
                    detail: 'The code is wrong or expired.',
                  },
                ],
              },
            ];
      },
    });
    const done = vi.fn();
    renderWithApp(<SignInForm onSignedIn={done} />);
    await userEvent.type(screen.getByLabelText(/e-mail/i), 'ops@example.com');
    await userEvent.type(screen.getByLabelText(/^password/i), 'pw');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const code = await screen.findByLabelText(/authentication code/i);
    await userEvent.type(code, '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The code is wrong or expired.');
    expect(done).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: /backup code instead/i }));
    await userEvent.type(screen.getByLabelText(/^backup code/i), 'abcd-efgh');
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(calls.at(-1)?.body).toEqual({ mfa_token: 'mfa-1', code: 'abcd-efgh' });
    expect(session.get()?.accessToken).toBe('a2');
  });

  it('shows a wrong password in words', async () => {
    stubFetch({
      'POST /api/v1/auth/login': () => [
        401,
        {
          errors: [
            {
              status: '401',
              code: 'unauthorized',
              title: 'Unauthorized',
              detail: 'Wrong e-mail or password.',
            },
          ],
        },
      ],
    });
    renderWithApp(<SignInForm onSignedIn={() => {}} />);
    await userEvent.type(screen.getByLabelText(/e-mail/i), 'ops@example.com');
    await userEvent.type(screen.getByLabelText(/^password/i), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong e-mail or password.');
  });
});
