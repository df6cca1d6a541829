import { Anchor, Badge } from '@mantine/core';
import { Link } from 'react-router';
import type { Site } from '@/api/types';
import { LastSeen } from '@/components/badges';
import { DataTable } from '@/components/data-table';
import { useOrganizationColumn } from '@/components/organization-column';

export function SitesTable({
  sites,
  sort,
  onSort,
}: {
  sites: Site[];
  sort: string;
  onSort: (field: string) => void;
}) {
  const organization = useOrganizationColumn((s: Site) => s.organization_id);
  return (
    <DataTable
      label="Sites"
      rows={sites}
      rowKey={(s) => s.id}
      sort={sort}
      onSort={onSort}
      minWidth={720}
      columns={[
        {
          key: 'name',
          header: 'Name',
          sortField: 'name',
          title: (s) => s.name || s.url,
          render: (s) => (
            <Anchor component={Link} to={`/sites/${s.id}`} fw={500} size="sm">
              {s.name || s.url}
            </Anchor>
          ),
        },
        ...organization,
        { key: 'url', header: 'Address', sortField: 'url', render: (s) => s.url },
        { key: 'drupal', header: 'Drupal', render: (s) => s.core_version || '—' },
        { key: 'php', header: 'PHP', render: (s) => s.php_version || '—' },
        {
          key: 'last_seen',
          header: 'Last seen',
          sortField: 'last_seen_at',
          render: (s) => <LastSeen at={s.last_seen_at} />,
        },
        {
          key: 'state',
          header: 'State',
          render: (s) =>
            s.is_active ? (
              <Badge color="teal.9">Active</Badge>
            ) : (
              <Badge color="gray.7">Inactive</Badge>
            ),
        },
      ]}
    />
  );
}
