import { screen, waitFor } from '@testing-library/react';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import { SsoButtons } from './sso-buttons';
import { SsoCompletePage } from './sso-complete-page';

afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
  window.history.replaceState(null, '', '/');
});

describe('SsoButtons', () => {
  it('offers a button per enabled provider', async () => {
    stubFetch({
      'GET /api/v1/auth/sso/providers': () => [
        200,
        {
          data: [
            {
              slug: 'corp',
              name: 'Corp ID',
              sign_in_url: 'http://fw.example/api/v1/auth/sso/corp/start',
            },
          ],
        },
      ],
    });
    renderWithApp(<SsoButtons />);
    const link = await screen.findByRole('link', { name: 'Sign in with Corp ID' });
    expect(link).toHaveAttribute('href', 'http://fw.example/api/v1/auth/sso/corp/start');
  });
});

describe('SsoCompletePage', () => {
  it('trades the token from the fragment for the session, and clears it from the address', async () => {
    window.history.replaceState(null, '', '/sign-in/sso#token=handoff-1');
    const { calls } = stubFetch({
      'POST /api/v1/auth/sso/complete': () => [
        200,
        { data: { access_token: 'a', refresh_token: 'r', expires_in: 900, token_type: 'Bearer' } },
      ],
    });
    renderWithApp(<SsoCompletePage />, { route: '/sign-in/sso', path: '/sign-in/sso' });
    await waitFor(() => expect(session.get()?.accessToken).toBe('a'));
    expect(calls[0].body).toEqual({ token: 'handoff-1' });
    expect(window.location.hash).toBe('');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/));
  });

  it('asks for the 2FA code when the provider did not assert MFA', async () => {
    window.history.replaceState(null, '', '/sign-in/sso#token=handoff-2');
    stubFetch({
      'POST /api/v1/auth/sso/complete': () => [
        200,
        { data: { mfa_required: true, mfa_token: 'mfa-1' } },
      ],
    });
    renderWithApp(<SsoCompletePage />, { route: '/sign-in/sso', path: '/sign-in/sso' });
    expect(await screen.findByLabelText(/authentication code/i)).toBeInTheDocument();
  });

  it('says why when the token is refused', async () => {
    window.history.replaceState(null, '', '/sign-in/sso#token=used');
    stubFetch({
      'POST /api/v1/auth/sso/complete': () => [
        401,
        {
          errors: [
            {
              status: '401',
              code: 'unauthorized',
              title: 'Unauthorized',
              detail:
                'The single sign-on token is invalid, expired or already used; sign in again.',
            },
          ],
        },
      ],
    });
    renderWithApp(<SsoCompletePage />, { route: '/sign-in/sso', path: '/sign-in/sso' });
    expect(await screen.findByText(/already used; sign in again/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to the sign-in page' })).toBeInTheDocument();
  });
});
