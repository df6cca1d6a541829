import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { session } from '@/lib/session';
import { renderWithApp, stubFetch } from '@/testing/render';
import { AcceptRiskForm, localDay, validateAcceptance } from './accept-risk-form';

beforeEach(() => session.set({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 1e6 }));
afterEach(() => {
  vi.unstubAllGlobals();
  session.set(null);
});

describe('validateAcceptance', () => {
  const now = new Date('2026-11-25T12:00:00').getTime();
  it('requires a justification and an expiry after today, at most a year ahead', () => {
    expect(validateAcceptance('', '2026-12-01', now).justification).toMatch(/why/);
    expect(validateAcceptance('WAF', '2026-11-25', now).expires).toMatch(/after today/);
    expect(validateAcceptance('WAF', '2027-11-26', now).expires).toMatch(/at most a year/);
    expect(validateAcceptance('WAF', localDay(365, now), now)).toEqual({});
  });
});

describe('AcceptRiskForm', () => {
  it('says what is missing before sending anything', async () => {
    const { calls } = stubFetch({});
    renderWithApp(<AcceptRiskForm exposureId="e1" onDone={vi.fn()} />);
    await userEvent.click(screen.getByRole('button', { name: 'Accept risk' }));
    expect(await screen.findByText(/say why the team accepts this risk/i)).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  it('posts the justification and an RFC 3339 expiry, and reports the acceptance', async () => {
    const acceptance = {
      id: 'a1',
      exposure_id: 'e1',
      justification: 'Blocked by the WAF',
      accepted_at: '2026-11-25T10:00:00Z',
      expires_at: '2026-12-25T00:00:00Z',
      accepted_by: 'u1',
      revoked_at: null,
    };
    const { calls } = stubFetch({
      'POST /api/v1/exposures/e1/acceptance': () => [201, { data: acceptance }],
    });
    const onDone = vi.fn();
    renderWithApp(<AcceptRiskForm exposureId="e1" onDone={onDone} />);
    await userEvent.type(screen.getByLabelText(/justification/i), 'Blocked by the WAF');
    fireEvent.change(screen.getByLabelText(/accepted until/i), {
      target: { value: localDay(60) },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Accept risk' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(acceptance));
    const body = calls[0].body as { justification: string; expires_at: string };
    expect(body.justification).toBe('Blocked by the WAF');
    expect(body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(new Date(body.expires_at).getTime()).toBe(
      new Date(`${localDay(60)}T00:00:00`).getTime(),
    );
  });

  it('shows the server refusal in words, next to the field', async () => {
    stubFetch({
      'POST /api/v1/exposures/e1/acceptance': () => [
        422,
        {
          errors: [
            {
              status: '422',
              code: 'validation_failed',
              title: 'Invalid field',
              detail: 'a risk is accepted for at most a year at a time',
              source: { pointer: '/expires_at' },
            },
          ],
        },
      ],
    });
    renderWithApp(<AcceptRiskForm exposureId="e1" onDone={vi.fn()} />);
    await userEvent.type(screen.getByLabelText(/justification/i), 'WAF');
    await userEvent.click(screen.getByRole('button', { name: 'Accept risk' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/not accepted/i);
    expect(screen.getAllByText(/at most a year at a time/).length).toBeGreaterThan(0);
  });
});
