import { Anchor, Badge, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Site } from '@/api/types';
import { LastSeen } from '@/components/badges';
import { SortableTh } from '@/components/sortable-th';

export function SitesTable({
  sites,
  sort,
  onSort,
}: {
  sites: Site[];
  sort: string;
  onSort: (field: string) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <SortableTh field="name" sort={sort} onSort={onSort}>
              Name
            </SortableTh>
            <SortableTh field="url" sort={sort} onSort={onSort}>
              Address
            </SortableTh>
            <Table.Th>Drupal</Table.Th>
            <Table.Th>PHP</Table.Th>
            <SortableTh field="last_seen_at" sort={sort} onSort={onSort}>
              Last seen
            </SortableTh>
            <Table.Th>State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sites.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td>
                <Anchor component={Link} to={`/sites/${s.id}`} fw={500}>
                  {s.name || s.url}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed" style={{ wordBreak: 'break-all' }}>
                  {s.url}
                </Text>
              </Table.Td>
              <Table.Td>{s.core_version || '—'}</Table.Td>
              <Table.Td>{s.php_version || '—'}</Table.Td>
              <Table.Td>
                <LastSeen at={s.last_seen_at} />
              </Table.Td>
              <Table.Td>
                {s.is_active ? (
                  <Badge variant="light" color="teal.8">
                    Active
                  </Badge>
                ) : (
                  <Badge variant="light" color="gray.7">
                    Inactive
                  </Badge>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
