import { Badge, List, Table } from '@mantine/core';
import { EmptyState } from '@/components/states';
import { formatDateTime } from '@/lib/format';
import type { PatchRun } from '../api/get-site-patch-runs';

const colors: Record<string, string> = {
  succeeded: 'teal.8',
  failed: 'red.8',
  partial: 'orange.8',
};

export function PatchRunsTab({ runs }: { runs: PatchRun[] }) {
  if (!runs.length)
    return <EmptyState title="No data yet">No patch run was recorded for this site.</EmptyState>;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped verticalSpacing="xs" aria-label="Patch runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Tool</Table.Th>
            <Table.Th>Changes</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{formatDateTime(r.run_date ?? r.finished_at ?? r.started_at)}</Table.Td>
              <Table.Td>
                <Badge color={colors[r.status ?? ''] ?? 'gray.7'}>{r.status ?? '—'}</Badge>
              </Table.Td>
              <Table.Td>{r.tool ?? '—'}</Table.Td>
              <Table.Td>
                <List size="sm">
                  {(r.changes ?? []).map((c, i) => (
                    <List.Item key={i}>
                      {c.name}: <code>{c.from_version || '∅'}</code> →{' '}
                      <code>{c.to_version || '∅'}</code>
                    </List.Item>
                  ))}
                </List>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
