import { Table, UnstyledButton } from '@mantine/core';
import type { ReactNode } from 'react';
import { sortDirection } from '@/lib/url-state';

const arrows = { ascending: ' ▲', descending: ' ▼', none: '' };

/** A column header that sorts the list through the URL's `sort`. */
export function SortableTh({
  field,
  sort,
  onSort,
  children,
}: {
  field: string;
  sort: string;
  onSort: (field: string) => void;
  children: ReactNode;
}) {
  const dir = sortDirection(sort, field);
  return (
    <Table.Th aria-sort={dir}>
      <UnstyledButton onClick={() => onSort(field)} fw={600} fz="sm">
        {children}
        <span aria-hidden>{arrows[dir]}</span>
      </UnstyledButton>
    </Table.Th>
  );
}
