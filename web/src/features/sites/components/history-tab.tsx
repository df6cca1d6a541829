import { Button, Group, Table, Text } from '@mantine/core';
import { DateField } from '@/components/date-field';
import { StatusBadge } from '@/components/badges';
import { EmptyState } from '@/components/states';
import { formatDateTime } from '@/lib/format';
import type { HistoryEntry } from '../api/get-site-history';

/** The end of a day (YYYY-MM-DD), UTC, as the history's `at`. */
export const endOfDay = (day: string) => (day ? `${day}T23:59:59Z` : undefined);

/**
 * What the site ran at one moment — now, or at the end of the day picked — with
 * since when and until when it ran each version.
 */
export function HistoryTab({
  entries,
  day,
  onDay,
}: {
  entries: HistoryEntry[];
  /** the day looked at (YYYY-MM-DD), '' for now */
  day: string;
  onDay: (day: string) => void;
}) {
  const picker = (
    <Group align="flex-end" mb="sm" wrap="wrap">
      <DateField label="As of" value={day} onChange={onDay} />
      {day && (
        <Button variant="default" size="sm" onClick={() => onDay('')}>
          Now
        </Button>
      )}
      <Text size="sm" c="dimmed" pb={6}>
        {day ? `What the site ran at the end of ${day} (UTC).` : 'What the site runs now.'}
      </Text>
    </Group>
  );
  if (!entries.length)
    return (
      <>
        {picker}
        <EmptyState title="No data yet">
          {day
            ? 'The site had pushed no inventory by then.'
            : 'The version history fills as the site pushes inventories.'}
        </EmptyState>
      </>
    );
  const sorted = [...entries].sort((a, b) =>
    (b.valid_from ?? '').localeCompare(a.valid_from ?? ''),
  );
  return (
    <>
      {picker}
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
    </>
  );
}
