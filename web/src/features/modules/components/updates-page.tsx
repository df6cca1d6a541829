import { Anchor, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { ModuleLink } from '@/components/module-link';
import { StatusBadge } from '@/components/badges';
import { CsvButton } from '@/components/csv-button';
import { DataTable, type Column } from '@/components/data-table';
import { useOrganizationColumn } from '@/components/organization-column';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { SearchBox } from '@/components/search-box';
import { Async, EmptyState } from '@/components/states';
import type { SiteModule } from '@/api/types';
import { formatDate } from '@/lib/format';
import { useListParams } from '@/lib/url-state';
import { otherUpdatesFilter, useFleetUpdates } from '../api/get-fleet-updates';

const columns: Column<SiteModule>[] = [
  {
    key: 'name',
    header: 'Project',
    sortField: 'name',
    title: (m) => m.name,
    render: (m) => <ModuleLink name={m.name} />,
  },
  {
    key: 'site',
    header: 'Site',
    sortField: 'site_name',
    title: (m) => m.site_name || m.site_url,
    render: (m) => (
      <Anchor component={Link} to={`/sites/${m.site_id}?show=updates`} size="sm">
        {m.site_name || m.site_url}
      </Anchor>
    ),
  },
  {
    key: 'versions',
    header: 'Installed → recommended',
    title: (m) => `${m.version} → ${m.recommended_version || m.latest_version || '?'}`,
    render: (m) => (
      <>
        <code>{m.version}</code>
        <Text span c="dimmed">
          {' → '}
        </Text>
        <code>{m.recommended_version || m.latest_version || '?'}</code>
      </>
    ),
  },
  {
    key: 'status',
    header: 'Status',
    sortField: 'status',
    render: (m) => <StatusBadge status={m.status} />,
  },
  {
    key: 'since',
    header: 'Since',
    sortField: 'updated_at',
    render: (m) => formatDate(m.updated_at),
  },
];

/** Every update that is not a security update, on every site you can see. */
export function UpdatesPage() {
  const list = useListParams({ sort: 'name', perPage: 50 });
  const filters = { sort: list.sort, q: list.q || undefined };
  const updates = useFleetUpdates({ page: list.page, per_page: list.perPage, ...filters });
  const organization = useOrganizationColumn((m: SiteModule) => m.organization_id);
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
            <DataTable
              label="Other updates"
              rows={d.data}
              columns={[columns[0], columns[1], ...organization, ...columns.slice(2)]}
              rowKey={(m) => `${m.site_id} ${m.name}`}
              sort={list.sort}
              onSort={list.toggleSort}
            />
            <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
          </>
        )}
      </Async>
    </Stack>
  );
}
