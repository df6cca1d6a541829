import { Stack, Table, Text, TextInput } from '@mantine/core';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { SortableTh } from '@/components/sortable-th';
import { Async, EmptyState } from '@/components/states';
import { formatDateTime } from '@/lib/format';
import { useMe } from '@/lib/auth';
import { useListParams } from '@/lib/url-state';
import { useActivity } from '../api/activity';

export function ActivityPage() {
  const list = useListParams({ sort: '-created_at' });
  // Only an admin sees more than one organization's trail.
  const isAdmin = useMe().data?.role === 'admin';
  const activity = useActivity({
    page: list.page,
    sort: list.sort,
    q: list.q || undefined,
    action: list.get('action') || undefined,
  });
  return (
    <Stack>
      <PageHeader
        title="Activity"
        description="Who did what, when and from where: sign-ins, 2FA and key changes, roles, deletions."
      />
      <TextInput
        label="Action"
        placeholder="e.g. login, api_key.create"
        defaultValue={list.get('action')}
        onKeyDown={(e) => e.key === 'Enter' && list.update({ action: e.currentTarget.value })}
        onBlur={(e) => list.update({ action: e.currentTarget.value })}
        w={280}
      />
      <Async
        query={activity}
        isEmpty={(d) => !d.data.length}
        empty={<EmptyState title="No activity recorded" />}
      >
        {(d) => (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table striped verticalSpacing="xs" aria-label="Activity">
                <Table.Thead>
                  <Table.Tr>
                    <SortableTh field="created_at" sort={list.sort} onSort={list.toggleSort}>
                      When
                    </SortableTh>
                    <SortableTh field="action" sort={list.sort} onSort={list.toggleSort}>
                      Action
                    </SortableTh>
                    <Table.Th>Target</Table.Th>
                    <Table.Th>User</Table.Th>
                    {isAdmin && <Table.Th>Organization</Table.Th>}
                    <Table.Th>From</Table.Th>
                    <Table.Th>Details</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.data.map((a) => (
                    <Table.Tr key={a.id}>
                      <Table.Td>{formatDateTime(a.created_at)}</Table.Td>
                      <Table.Td>
                        <code>{a.action}</code>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{a.target_type}</Text>
                        <Text size="xs" c="dimmed">
                          {a.target_id}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" title={a.user_id ?? undefined}>
                          {a.user_name ?? (a.user_id ? 'a deleted user' : 'system')}
                        </Text>
                      </Table.Td>
                      {isAdmin && <Table.Td>{a.organization_name ?? '—'}</Table.Td>}
                      <Table.Td>{a.remote_addr}</Table.Td>
                      <Table.Td>
                        <Text size="xs" style={{ wordBreak: 'break-word' }}>
                          {a.details}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
          </>
        )}
      </Async>
    </Stack>
  );
}
