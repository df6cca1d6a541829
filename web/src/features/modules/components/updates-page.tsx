import { Anchor, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { StatusBadge } from '@/components/badges';
import { CsvButton } from '@/components/csv-button';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { SearchBox } from '@/components/search-box';
import { SortableTh } from '@/components/sortable-th';
import { Async, EmptyState } from '@/components/states';
import { formatDate } from '@/lib/format';
import { useListParams } from '@/lib/url-state';
import { otherUpdatesFilter, useFleetUpdates } from '../api/get-fleet-updates';

/** Every update that is not a security update, on every site you can see. */
export function UpdatesPage() {
  const list = useListParams({ sort: 'name', perPage: 50 });
  const filters = { sort: list.sort, q: list.q || undefined };
  const updates = useFleetUpdates({ page: list.page, per_page: list.perPage, ...filters });
  return (
    <Stack>
      <PageHeader
        title="Other updates"
        description="Updates that are not security updates, on every site you can see: one row per site and project."
        actions={
          <CsvButton
            path="/site-modules"
            query={{ ...otherUpdatesFilter, ...filters }}
            filename="other-updates.csv"
          />
        }
      />
      <Group>
        <SearchBox
          label="Search"
          placeholder="Project, site or address"
          value={list.q}
          onSearch={(q) => list.update({ q })}
        />
      </Group>
      <Async
        query={updates}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState title={list.q ? 'Nothing matches your search' : 'Every site is up to date'}>
            {list.q ? 'Try another project or site.' : 'No update other than security is waiting.'}
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table striped verticalSpacing="xs" aria-label="Other updates">
                <Table.Thead>
                  <Table.Tr>
                    <SortableTh field="name" sort={list.sort} onSort={list.toggleSort}>
                      Project
                    </SortableTh>
                    <SortableTh field="site_name" sort={list.sort} onSort={list.toggleSort}>
                      Site
                    </SortableTh>
                    <Table.Th>Installed → recommended</Table.Th>
                    <SortableTh field="status" sort={list.sort} onSort={list.toggleSort}>
                      Status
                    </SortableTh>
                    <SortableTh field="updated_at" sort={list.sort} onSort={list.toggleSort}>
                      Since
                    </SortableTh>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.data.map((m) => (
                    <Table.Tr key={`${m.site_id} ${m.name}`}>
                      <Table.Td>
                        <Anchor component={Link} to={`/modules/${encodeURIComponent(m.name)}`}>
                          {m.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/sites/${m.site_id}?show=updates`}>
                          {m.site_name || m.site_url}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <code>{m.version}</code>
                        <Text span c="dimmed">
                          {' → '}
                        </Text>
                        <code>{m.recommended_version || m.latest_version || '?'}</code>
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={m.status} />
                      </Table.Td>
                      <Table.Td>{formatDate(m.updated_at)}</Table.Td>
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
