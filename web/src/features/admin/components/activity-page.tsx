import { Stack, Text, TextInput } from '@mantine/core';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { DataTable } from '@/components/data-table';
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
            <DataTable
              label="Activity"
              rows={d.data}
              rowKey={(a) => a.id}
              sort={list.sort}
              onSort={list.toggleSort}
              minWidth={760}
              columns={[
                {
                  key: 'when',
                  header: 'When',
                  sortField: 'created_at',
                  width: 170,
                  render: (a) => formatDateTime(a.created_at),
                },
                {
                  key: 'action',
                  header: 'Action',
                  sortField: 'action',
                  title: (a) => a.action,
                  render: (a) => <code>{a.action}</code>,
                },
                {
                  key: 'target',
                  header: 'Target',
                  title: (a) => `${a.target_type} ${a.target_id}`,
                  render: (a) => (
                    <>
                      <Text span size="sm">
                        {a.target_type}
                      </Text>{' '}
                      <Text span size="xs" c="dimmed">
                        {a.target_id}
                      </Text>
                    </>
                  ),
                },
                {
                  key: 'user',
                  header: 'User',
                  title: (a) => a.user_id ?? undefined,
                  render: (a) => a.user_name ?? (a.user_id ? 'a deleted user' : 'system'),
                },
                ...(isAdmin
                  ? [
                      {
                        key: 'organization',
                        header: 'Organization',
                        render: (a: (typeof d.data)[number]) => a.organization_name ?? '—',
                      },
                    ]
                  : []),
                { key: 'from', header: 'From', render: (a) => a.remote_addr },
                { key: 'details', header: 'Details', render: (a) => a.details },
              ]}
            />
            <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
          </>
        )}
      </Async>
    </Stack>
  );
}
