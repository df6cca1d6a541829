import { Badge, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { DataTable } from '@/components/data-table';
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
            <DataTable
              label="Notification deliveries"
              rows={d.data}
              rowKey={(n) => n.id}
              minWidth={640}
              columns={[
                {
                  key: 'when',
                  header: 'When',
                  render: (n) => formatDateTime(n.sent_at ?? n.created_at),
                },
                {
                  key: 'channel',
                  header: 'Channel',
                  render: (n) => (n.channel === 'email' ? 'E-mail' : 'Webhook'),
                },
                { key: 'subject', header: 'Subject', render: (n) => n.subject || n.kind },
                { key: 'to', header: 'To', render: (n) => n.target },
                {
                  key: 'status',
                  header: 'Status',
                  wrap: true,
                  render: (n) => (
                    <>
                      <Badge color={statusColors[n.status] ?? 'gray.7'}>{n.status}</Badge>
                      {n.status === 'failed' && n.last_error && (
                        <Text size="xs" c="var(--fw-danger-text)">
                          {n.last_error} ({n.attempts} {n.attempts === 1 ? 'attempt' : 'attempts'})
                        </Text>
                      )}
                      {n.status === 'pending' && n.attempts > 0 && n.next_attempt_at && (
                        <Text size="xs" c="dimmed">
                          {n.last_error} — retrying {formatDateTime(n.next_attempt_at)}
                        </Text>
                      )}
                    </>
                  ),
                },
              ]}
            />
            <Pager meta={d.meta} onPage={setPage} />
          </>
        )}
      </Async>
    </Stack>
  );
}
