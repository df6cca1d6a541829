import { fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderWithApp } from '@/testing/render';
import { endOfDay, HistoryTab } from './history-tab';

describe('HistoryTab', () => {
  it('asks for the end of a complete day, and goes back to now', async () => {
    const onDay = vi.fn();
    renderWithApp(<HistoryTab entries={[]} day="" onDay={onDay} />);
    expect(screen.getByText('What the site runs now.')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('As of'), { target: { value: '2026-07-01' } });
    expect(onDay).toHaveBeenLastCalledWith('2026-07-01');
    expect(endOfDay('2026-07-01')).toBe('2026-07-01T23:59:59Z');
    expect(endOfDay('')).toBeUndefined();
  });

  it('says which day it shows and offers now', async () => {
    const onDay = vi.fn();
    renderWithApp(<HistoryTab entries={[]} day="2026-07-01" onDay={onDay} />);
    expect(
      screen.getByText('What the site ran at the end of 2026-07-01 (UTC).'),
    ).toBeInTheDocument();
    expect(screen.getByText('The site had pushed no inventory by then.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Now' }));
    expect(onDay).toHaveBeenLastCalledWith('');
  });
});
