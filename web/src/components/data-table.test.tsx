import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderWithApp } from '@/testing/render';
import { DataTable, type Column } from './data-table';

interface Row {
  id: string;
  name: string;
  url: string;
}

const rows: Row[] = [
  { id: '1', name: 'Acme www', url: 'https://www.acme.example' },
  { id: '2', name: 'Acme shop', url: 'https://shop.acme.example' },
];

const columns: Column<Row>[] = [
  { key: 'name', header: 'Name', sortField: 'name', render: (r) => r.name },
  {
    key: 'url',
    header: 'Address',
    render: (r) => <a href={r.url}>{r.url}</a>,
    title: (r) => r.url,
  },
  { key: 'actions', header: 'Actions', hideHeader: true, wrap: true, render: () => 'x' },
];

function setPhone(phone: boolean) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    configurable: true,
    value: (query: string) => ({
      matches: phone && query.includes('max-width'),
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }),
  });
}

afterEach(() => setPhone(false));

describe('DataTable', () => {
  it('sorts through a header, and keeps cells on one line with the whole text as title', async () => {
    const onSort = vi.fn();
    renderWithApp(
      <DataTable
        label="Sites"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        sort="-name"
        onSort={onSort}
      />,
    );
    const table = screen.getByRole('table', { name: 'Sites' });
    const header = within(table).getByRole('columnheader', { name: /Name/ });
    expect(header).toHaveAttribute('aria-sort', 'descending');
    await userEvent.click(within(header).getByRole('button'));
    expect(onSort).toHaveBeenCalledWith('name');
    // A hidden header is still named for screen readers.
    expect(within(table).getByRole('columnheader', { name: 'Actions' })).toBeInTheDocument();
    const cell = within(table).getByRole('cell', { name: 'https://shop.acme.example' });
    expect(cell).toHaveAttribute('title', 'https://shop.acme.example');
    expect(within(table).getByRole('cell', { name: 'Acme www' })).toHaveAttribute(
      'title',
      'Acme www',
    );
  });

  it('opens a row on click or Enter, but not when a link inside it is followed', async () => {
    const onRowClick = vi.fn();
    renderWithApp(
      <DataTable
        label="Sites"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        onRowClick={onRowClick}
        rowLabel={(r) => `${r.name} details`}
      />,
    );
    const row = screen.getByRole('row', { name: 'Acme shop details' });
    await userEvent.click(within(row).getByText('Acme shop'));
    expect(onRowClick).toHaveBeenLastCalledWith(rows[1]);
    onRowClick.mockClear();
    const link = within(row).getByRole('link');
    link.addEventListener('click', (e) => e.preventDefault());
    await userEvent.click(link);
    expect(onRowClick).not.toHaveBeenCalled();
    row.focus();
    await userEvent.keyboard('{Enter}');
    expect(onRowClick).toHaveBeenCalledWith(rows[1]);
  });

  it('shows each row as a card on a phone', async () => {
    setPhone(true);
    const onRowClick = vi.fn();
    renderWithApp(
      <DataTable
        label="Sites"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        onRowClick={onRowClick}
        card={(r) => <strong>{r.name}</strong>}
      />,
    );
    expect(screen.queryByRole('table')).toBeNull();
    const cards = within(screen.getByRole('list', { name: 'Sites' })).getAllByRole('listitem');
    expect(cards).toHaveLength(2);
    await userEvent.click(within(cards[0]).getByText('Acme www'));
    expect(onRowClick).toHaveBeenCalledWith(rows[0]);
  });

  it('shows every column under its header in a card on a phone when the page gives no card', async () => {
    setPhone(true);
    const onRowClick = vi.fn();
    renderWithApp(
      <DataTable
        label="Sites"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        onRowClick={onRowClick}
        rowLabel={(r) => `Open ${r.name}`}
      />,
    );
    expect(screen.queryByRole('table')).toBeNull();
    const cards = within(screen.getByRole('list', { name: 'Sites' })).getAllByRole('listitem');
    expect(cards).toHaveLength(2);
    const second = within(cards[1]);
    second.getByText('Acme shop');
    second.getByText('Address');
    expect(second.getByRole('link', { name: 'https://shop.acme.example' })).toBeInTheDocument();
    // The hidden header of the actions column is not shown; its value is.
    expect(second.queryByText('Actions')).toBeNull();
    second.getByText('x');
    // A click on the card opens it.
    await userEvent.click(second.getByText('Address'));
    expect(onRowClick).toHaveBeenCalledWith(rows[1]);
    // Enter on the card opens it, as on a table row.
    cards[0].focus();
    expect(cards[0]).toHaveAccessibleName('Open Acme www');
    await userEvent.keyboard('{Enter}');
    expect(onRowClick).toHaveBeenLastCalledWith(rows[0]);
  });
});
