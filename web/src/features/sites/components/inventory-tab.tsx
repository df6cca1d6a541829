import { Anchor, Badge, Group, SegmentedControl, Table, Text } from '@mantine/core';
import { ModuleLink } from '@/components/module-link';
import { SeverityBadge, SlaBadge, StatusBadge } from '@/components/badges';
import { advisoryURL } from '@/lib/drupal-links';
import { EmptyState } from '@/components/states';
import { formatDate } from '@/lib/format';
import type { SiteExposure } from '../api/get-site-exposures';
import type { SiteModule } from '../api/get-site-modules';

const rank: Record<string, number> = {
  not_secure: 0,
  revoked: 1,
  not_supported: 2,
  not_current: 3,
  unknown: 4,
  current: 5,
};

export function InventoryTab({
  modules,
  libraries = false,
  exposures = [],
  filter,
  onFilter,
}: {
  modules: SiteModule[];
  /**
   * the rows are PHP libraries, judged by their advisories only: one with
   * none says so rather than "unknown", and there is no "updates" filter
   */
  libraries?: boolean;
  /** the site's open security updates: their deadline, SLA state and advisories show in their rows */
  exposures?: SiteExposure[];
  filter: string;
  onFilter: (f: string) => void;
}) {
  const open = new Map(exposures.map((e) => [e.project, e]));
  const shown = modules
    .filter((m) =>
      filter === 'security' ? m.security_update : filter === 'updates' ? m.update_available : true,
    )
    .sort(
      (a, b) =>
        (rank[a.status ?? 'unknown'] ?? 9) - (rank[b.status ?? 'unknown'] ?? 9) ||
        a.name.localeCompare(b.name),
    );
  const security = modules.filter((m) => m.security_update).length;
  const updates = modules.filter((m) => m.update_available).length;
  return (
    <>
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Text size="sm">
          {modules.length} {libraries ? 'libraries' : 'projects'} · <strong>{security}</strong>{' '}
          security updates
          {!libraries && <> · {updates} updates available</>}
        </Text>
        <SegmentedControl
          aria-label="Show"
          size="xs"
          value={filter || 'all'}
          onChange={(v) => onFilter(v === 'all' ? '' : v)}
          data={[
            { value: 'all', label: 'All' },
            ...(libraries ? [] : [{ value: 'updates', label: 'Updates' }]),
            { value: 'security', label: 'Security' },
          ]}
        />
      </Group>
      {shown.length === 0 ? (
        <EmptyState title="Nothing to show">
          No {libraries ? 'library' : 'project'} matches this filter.
        </EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped verticalSpacing="xs" aria-label={libraries ? 'Libraries' : 'Inventory'}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{libraries ? 'Library' : 'Project'}</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Installed → recommended</Table.Th>
                <Table.Th>Severity</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th>SLA</Table.Th>
                <Table.Th>Advisory</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((m) => (
                <Table.Tr key={m.name}>
                  <Table.Td>
                    <ModuleLink name={m.name} />
                    {m.type && !libraries && (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        {m.type}
                      </Text>
                    )}
                    {m.drupal_link && (
                      <>
                        {' '}
                        <Anchor href={m.drupal_link} target="_blank" rel="noreferrer" size="xs">
                          {m.source === 'packagist' ? 'Packagist' : 'drupal.org'}
                        </Anchor>
                      </>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {m.source === 'packagist' && !m.security_update ? (
                      <Badge color="gray.7" title={m.reasons?.[0]}>
                        No advisory
                      </Badge>
                    ) : (
                      <StatusBadge status={m.status} />
                    )}
                  </Table.Td>
                  <Table.Td>
                    <code>{m.version || '?'}</code>
                    {m.recommended_version && m.recommended_version !== m.version && (
                      <>
                        {' → '}
                        <code>{m.recommended_version}</code>
                      </>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {m.security_update ? <SeverityBadge severity={m.severity} /> : '—'}
                  </Table.Td>
                  <Table.Td>{formatDate(open.get(m.name)?.due_at)}</Table.Td>
                  <Table.Td>
                    {open.has(m.name) ? <SlaBadge state={open.get(m.name)?.sla_status} /> : '—'}
                  </Table.Td>
                  <Table.Td>
                    {(open.get(m.name)?.advisories ?? []).length
                      ? (open.get(m.name)?.advisories ?? []).map((a) => (
                          <Anchor
                            key={a}
                            href={advisoryURL(a)}
                            target="_blank"
                            rel="noreferrer"
                            size="xs"
                            mr={4}
                          >
                            {a}
                          </Anchor>
                        ))
                      : '—'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
