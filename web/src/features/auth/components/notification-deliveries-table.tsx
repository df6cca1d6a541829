import { Badge, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Pager } from '@/components/pager';
import { Async, EmptyState } from '@/components/states';
import { formatDateTime } from '@/lib/format';
import { oneOf } from '@/lib/url-state';
import { useNotificationDeliveries } from '../api/notification-deliveries';

const deliveryStatuses = ['pending', 'sent', 'failed'] as const;

const statusColors: Record<string, string> = {
  sent: 'teal.8',
  pending: 'yellow.8',
  failed: 'red.8',
};

/** The last notifications sent to the signed-in user, and whether they arrived. */
export function NotificationDeliveriesTable() {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<string | null>(null);
  const deliveries = useNotificationDeliveries({ page, status: oneOf(status, deliveryStatuses) });
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2} size="h4">
          Delivery log
        </Title>
        <Select
          label="Status"
          clearable
          data={[
            { value: 'sent', label: 'Sent' },
            { value: 'pending', label: 'Pending' },
            { value: 'failed', label: 'Failed' },
          ]}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
          w={150}
        />
      </Group>
      <Async
        query={deliveries}
        what="The notification delivery log"
        isEmpty={(d) => !d.data?.length}
        empty={
          <EmptyState title="Nothing sent yet">
            Notifications sent to you by e-mail or webhook are listed here.
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table striped verticalSpacing="xs" aria-label="Notification deliveries">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Channel</Table.Th>
                    <Table.Th>Subject</Table.Th>
                    <Table.Th>To</Table.Th>
                    <Table.Th>Status</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.data.map((n) => (
                    <Table.Tr key={n.id}>
                      <Table.Td>{formatDateTime(n.sent_at ?? n.created_at)}</Table.Td>
                      <Table.Td>{n.channel === 'email' ? 'E-mail' : 'Webhook'}</Table.Td>
                      <Table.Td>{n.subject || n.kind}</Table.Td>
                      <Table.Td>{n.target}</Table.Td>
                      <Table.Td>
                        <Badge color={statusColors[n.status] ?? 'gray.7'}>{n.status}</Badge>
                        {n.status === 'failed' && n.last_error && (
                          <Text size="xs" c="red.8">
                            {n.last_error} ({n.attempts} {n.attempts === 1 ? 'attempt' : 'attempts'}
                            )
                          </Text>
                        )}
                        {n.status === 'pending' && n.attempts > 0 && n.next_attempt_at && (
                          <Text size="xs" c="dimmed">
                            {n.last_error} — retrying {formatDateTime(n.next_attempt_at)}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager meta={d.meta} onPage={setPage} />
          </>
        )}
      </Async>
    </Stack>
  );
}
