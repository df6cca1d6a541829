import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp } from '@/testing/render';
import { Deadline } from './site-risk-table';

const now = Date.parse('2026-12-06T12:00:00Z');
describe('Deadline', () => {
  it('shows a past deadline as overdue in days', () => {
    renderWithApp(<Deadline at="2026-04-05T12:00:00Z" now={now} />);
    expect(screen.getByText('overdue 245 d')).toBeInTheDocument();
  });
  it('shows a future deadline as a date', () => {
    renderWithApp(<Deadline at="2026-12-20T00:00:00Z" now={now} />);
    expect(screen.queryByText(/overdue/)).toBeNull();
    expect(screen.getByText('Dec 20, 2026')).toBeInTheDocument();
  });
});
