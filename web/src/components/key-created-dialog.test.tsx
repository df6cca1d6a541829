import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderWithApp } from '@/testing/render';
import type { CreatedAPIKey } from '@/api/types';
import { KeyCreatedDialog } from './key-created-dialog';

const created: CreatedAPIKey = {
  key: 'fwk_secret_123',
  id: 'k1',
  kind: 'site',
  name: 'web01',
  prefix: 'fwk_secr',
  organization_id: 'o1',
  site_id: 's1',
  created_at: '2026-11-25T10:00:00Z',
  created_by: null,
  last_used_at: null,
  revoked_at: null,
};

describe('KeyCreatedDialog', () => {
  it('shows the key once with a copy button, and forgets it when closed', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const onClose = vi.fn();
    const { rerender } = renderWithApp(<KeyCreatedDialog created={created} onClose={onClose} />);
    expect(await screen.findByText('fwk_secret_123')).toBeInTheDocument();
    expect(screen.getByText(/only time the key is shown/i)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('fwk_secret_123');
    await userEvent.click(screen.getByRole('button', { name: /saved the key/i }));
    expect(onClose).toHaveBeenCalled();
    rerender(<></>);
    expect(screen.queryByText('fwk_secret_123')).toBeNull();
  });
});
