import { render, screen } from '@testing-library/react';
import { AppProvider } from '@/app/provider';
import { ApiError } from '@/lib/api-client';
import { ApiErrorAlert } from './api-error';

describe('ApiErrorAlert', () => {
  it('shows each error in words with the field it is about', () => {
    const err = new ApiError(
      422,
      [
        {
          status: '422',
          code: 'validation_failed',
          title: 'Invalid field',
          detail: 'must be a valid address',
          source: { pointer: '/email' },
        },
        {
          status: '422',
          code: 'validation_failed',
          title: 'Invalid field',
          detail: 'is too short',
          source: { pointer: '/password' },
        },
      ],
      'req-42',
    );
    render(
      <AppProvider>
        <ApiErrorAlert error={err} title="Not saved" />
      </AppProvider>,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Not saved');
    expect(alert).toHaveTextContent('email: must be a valid address');
    expect(alert).toHaveTextContent('password: is too short');
    expect(alert).toHaveTextContent('Request id: req-42');
  });

  it('shows a single detail plainly', () => {
    const err = new ApiError(401, [
      {
        status: '401',
        code: 'unauthorized',
        title: 'Unauthorized',
        detail: 'Wrong e-mail or password.',
      },
    ]);
    render(
      <AppProvider>
        <ApiErrorAlert error={err} />
      </AppProvider>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Wrong e-mail or password.');
  });

  it('renders nothing without an error', () => {
    const { container } = render(
      <AppProvider>
        <ApiErrorAlert error={null} />
      </AppProvider>,
    );
    expect(container.querySelector('[role=alert]')).toBeNull();
  });
});
