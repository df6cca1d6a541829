import { Table } from '@mantine/core';
import { StatusBadge } from '@/components/badges';
import { EmptyState } from '@/components/states';
import { formatDateTime } from '@/lib/format';
import type { HistoryEntry } from '../api/get-site-history';

export function HistoryTab({ entries }: { entries: HistoryEntry[] }) {
  if (!entries.length)
    return (
      <EmptyState title="No data yet">
        The version history fills as the site pushes inventories.
      </EmptyState>
    );
  const sorted = [...entries].sort((a, b) =>
    (b.valid_from ?? '').localeCompare(a.valid_from ?? ''),
  );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped verticalSpacing="xs" aria-label="Version history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Project</Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th>Until</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((h, i) => (
            <Table.Tr key={`${h.name}-${h.valid_from}-${i}`}>
              <Table.Td>{h.name}</Table.Td>
              <Table.Td>
                <code>{h.version}</code>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={h.status} />
              </Table.Td>
              <Table.Td>{formatDateTime(h.valid_from)}</Table.Td>
              <Table.Td>{h.valid_to ? formatDateTime(h.valid_to) : 'now'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
