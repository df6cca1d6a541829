// The one table of the list pages: sortable headers through the URL, cells
// that stay on one line (cut with an ellipsis, the whole text in a tooltip),
// rows that open a detail on click, and below the small breakpoint each row
// as a stacked card (the page's own, or every column under its header), so no
// key column is ever off-screen on a phone.
import {
  Box,
  Card,
  Group,
  Stack,
  Table,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { CSSProperties, KeyboardEvent, MouseEvent, ReactNode } from 'react';
import { sortDirection } from '@/lib/url-state';
import classes from './data-table.module.css';

export interface Column<T> {
  key: string;
  /** the header's text; hidden visually (still read out) with hideHeader */
  header: string;
  hideHeader?: boolean;
  /** sorts the list by this API field when the header is clicked */
  sortField?: string;
  render: (row: T) => ReactNode;
  /**
   * One line, cut with an ellipsis: the cell's whole text goes in its title
   * (the default for every column but those that wrap).
   */
  wrap?: boolean;
  /** a CSS width (the table lays out fixed when every column has one) */
  width?: number | string;
  /** the text shown on hover when the cell is cut; the rendered text by default */
  title?: (row: T) => string | undefined;
}

const arrows = { ascending: ' ▲', descending: ' ▼', none: '' };

/** Below this width (Mantine's sm breakpoint) rows become cards. */
export const phoneQuery = '(max-width: 47.99em)';

export interface DataTableProps<T> {
  /** the table's accessible name */
  label: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  sort?: string;
  onSort?: (field: string) => void;
  /** opens the row's detail: on a click anywhere but a link or button, or Enter on the row */
  onRowClick?: (row: T) => void;
  /** the accessible name of a row that opens a detail, such as "token on Acme www" */
  rowLabel?: (row: T) => string;
  /**
   * the row as a stacked card on phones; when absent, the card lists every
   * column as its header and value, the first column on top
   */
  card?: (row: T) => ReactNode;
  /** below this width the table scrolls sideways (between the phone and the desktop) */
  minWidth?: number;
  /** lay the columns out by their widths, cutting what does not fit */
  fixed?: boolean;
  striped?: boolean;
}

const interactive = 'a, button, input, select, textarea, [role="button"], [role="checkbox"]';

export function DataTable<T>({
  label,
  rows,
  columns,
  rowKey,
  sort = '',
  onSort,
  onRowClick,
  rowLabel,
  card,
  minWidth = 640,
  fixed = false,
  striped = true,
}: DataTableProps<T>) {
  const phone = useMediaQuery(phoneQuery) ?? false;

  const open = (r: T) => (e: MouseEvent) => openUnlessInner(e, () => onRowClick?.(r));
  const key = (r: T) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' && e.target === e.currentTarget) onRowClick?.(r);
  };

  if (phone) {
    return (
      <Stack gap="xs" role="list" aria-label={label}>
        {rows.map((r) => (
          <Card
            key={rowKey(r)}
            role="listitem"
            withBorder
            padding="sm"
            className={onRowClick ? classes.clickable : undefined}
            onClick={onRowClick ? open(r) : undefined}
            // A card of its own making has its buttons; the column card is opened as a row is.
            onKeyDown={onRowClick && !card ? key(r) : undefined}
            tabIndex={onRowClick && !card ? 0 : undefined}
            aria-label={!card ? rowLabel?.(r) : undefined}
          >
            {card ? card(r) : <ColumnCard row={r} columns={columns} />}
          </Card>
        ))}
      </Stack>
    );
  }

  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table
        striped={striped}
        highlightOnHover={!!onRowClick}
        verticalSpacing={6}
        aria-label={label}
        className={fixed ? classes.fixed : undefined}
      >
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => {
              const style: CSSProperties | undefined = c.width ? { width: c.width } : undefined;
              const text = c.hideHeader ? <VisuallyHidden>{c.header}</VisuallyHidden> : c.header;
              if (!c.sortField || !onSort) {
                return (
                  <Table.Th key={c.key} style={style} className={classes.th}>
                    {text}
                  </Table.Th>
                );
              }
              const dir = sortDirection(sort, c.sortField);
              const field = c.sortField;
              return (
                <Table.Th key={c.key} style={style} aria-sort={dir} className={classes.th}>
                  <UnstyledButton onClick={() => onSort(field)} fw={600} fz="sm">
                    {text}
                    <span aria-hidden>{arrows[dir]}</span>
                  </UnstyledButton>
                </Table.Th>
              );
            })}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr
              key={rowKey(r)}
              className={onRowClick ? classes.clickable : undefined}
              onClick={onRowClick ? open(r) : undefined}
              onKeyDown={onRowClick ? key(r) : undefined}
              tabIndex={onRowClick ? 0 : undefined}
              aria-label={rowLabel?.(r)}
            >
              {columns.map((c) => {
                const content = c.render(r);
                const title =
                  c.title?.(r) ??
                  (typeof content === 'string' || typeof content === 'number'
                    ? String(content)
                    : undefined);
                return (
                  <Table.Td
                    key={c.key}
                    className={c.wrap ? undefined : classes.cut}
                    title={c.wrap ? undefined : title}
                  >
                    {content}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** A row as a card: the first column on top, then each other column under its header. */
function ColumnCard<T>({ row, columns }: { row: T; columns: Column<T>[] }) {
  const [first, ...rest] = columns;
  return (
    <Stack gap={4}>
      {first && (
        <Box fw={600} fz="sm" className={classes.cardValue}>
          {first.render(row)}
        </Box>
      )}
      {rest.map((c) => (
        <Group key={c.key} gap="xs" wrap="nowrap" align="baseline">
          {!c.hideHeader && (
            <Text size="xs" c="dimmed" className={classes.cardLabel}>
              {c.header}
            </Text>
          )}
          <Box fz="sm" className={classes.cardValue}>
            {c.render(row)}
          </Box>
        </Group>
      ))}
    </Stack>
  );
}

/** Runs open unless the click was on a link, a button or a field inside the row. */
function openUnlessInner(e: MouseEvent, open: () => void) {
  const target = e.target as HTMLElement;
  const inner = target.closest(interactive);
  if (inner && inner !== e.currentTarget && e.currentTarget.contains(inner)) return;
  open();
}
