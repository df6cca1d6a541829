import { Anchor, Group, Select, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { SeverityBadge, severityLabels, SlaBadge } from '@/components/badges';
import { CsvButton } from '@/components/csv-button';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { SortableTh } from '@/components/sortable-th';
import { Async, EmptyState } from '@/components/states';
import { formatDate, formatRelative } from '@/lib/format';
import { useListParams } from '@/lib/url-state';
import { useExposures, type ExposuresParams } from '../api/get-exposures';
import { useOrganizationFilter } from '../api/get-organization-filter';

/** drupal.org's page of an advisory id such as SA-CONTRIB-2024-001. */
export const advisoryURL = (id: string) => `https://www.drupal.org/${id.toLowerCase()}`;
export const projectURL = (project: string) =>
  `https://www.drupal.org/project/${encodeURIComponent(project)}`;

export function ExposuresPage() {
  const list = useListParams({ sort: 'due_at', perPage: 50 });
  const orgs = useOrganizationFilter();
  const params: ExposuresParams = {
    page: list.page,
    per_page: list.perPage,
    sort: list.sort,
    q: list.q || undefined,
    organization_id: list.get('organization_id') || undefined,
    severity: list.get('severity') || undefined,
    state: list.get('state') || 'open',
    sla_status: list.get('sla_status') || undefined,
    overdue: list.get('overdue') || undefined,
  };
  const exposures = useExposures(params);
  const { page: _page, per_page: _pp, ...csvQuery } = params;
  void _page;
  void _pp;

  return (
    <Stack>
      <PageHeader
        title="Security updates"
        description="Open security updates across the fleet, with the deadline each must be patched by."
        actions={
          <CsvButton path="/exposures" query={{ ...csvQuery }} filename="security-updates.csv" />
        }
      />
      <Group wrap="wrap" align="flex-end">
        {(orgs.data?.data.length ?? 0) > 1 && (
          <Select
            label="Organization"
            clearable
            searchable
            data={(orgs.data?.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            value={list.get('organization_id') || null}
            onChange={(v) => list.update({ organization_id: v ?? '' })}
            w={220}
          />
        )}
        <Select
          label="Severity"
          clearable
          data={Object.entries(severityLabels).map(([value, label]) => ({ value, label }))}
          value={list.get('severity') || null}
          onChange={(v) => list.update({ severity: v ?? '' })}
          w={200}
        />
        <Select
          label="SLA"
          clearable
          data={[
            { value: 'within', label: 'Within SLA' },
            { value: 'at_risk', label: 'At risk' },
            { value: 'breached', label: 'Past due' },
          ]}
          value={list.get('overdue') === 'true' ? 'breached' : list.get('sla_status') || null}
          onChange={(v) => list.update({ sla_status: v ?? '', overdue: '' })}
          w={160}
        />
        <Select
          label="State"
          data={[
            { value: 'open', label: 'Open' },
            { value: 'resolved', label: 'Resolved' },
          ]}
          value={list.get('state') || 'open'}
          onChange={(v) => list.update({ state: v === 'open' ? '' : (v ?? '') })}
          w={140}
        />
      </Group>
      <Async
        query={exposures}
        what="The security updates list"
        isEmpty={(d) => !d.data?.length}
        empty={
          <EmptyState title="No security update matches">
            Nothing is outstanding for these filters.
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <Table.ScrollContainer minWidth={860}>
              <Table striped verticalSpacing="xs" aria-label="Security updates">
                <Table.Thead>
                  <Table.Tr>
                    <SortableTh field="site_name" sort={list.sort} onSort={list.toggleSort}>
                      Site
                    </SortableTh>
                    <SortableTh field="project" sort={list.sort} onSort={list.toggleSort}>
                      Project
                    </SortableTh>
                    <Table.Th>Installed → fixed in</Table.Th>
                    <SortableTh field="severity" sort={list.sort} onSort={list.toggleSort}>
                      Severity
                    </SortableTh>
                    <Table.Th>Advisory</Table.Th>
                    <SortableTh field="detected_at" sort={list.sort} onSort={list.toggleSort}>
                      Detected
                    </SortableTh>
                    <SortableTh field="due_at" sort={list.sort} onSort={list.toggleSort}>
                      Due
                    </SortableTh>
                    <Table.Th>SLA</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.data.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/sites/${e.site_id}?show=security`}>
                          {e.site_name || e.site_id}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/modules/${encodeURIComponent(e.project)}`}>
                          {e.project}
                        </Anchor>{' '}
                        <Anchor
                          href={projectURL(e.project)}
                          target="_blank"
                          rel="noreferrer"
                          size="xs"
                        >
                          drupal.org
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <code>{e.installed_version}</code>
                        {e.fixed_by?.length ? (
                          <>
                            {' → '}
                            <code>{e.fixed_by.join(', ')}</code>
                          </>
                        ) : (
                          <Text span size="xs" c="dimmed">
                            {' '}
                            no fix: project unsupported
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <SeverityBadge severity={e.severity} />
                      </Table.Td>
                      <Table.Td>
                        {e.advisories?.length
                          ? e.advisories.map((a) => (
                              <Anchor
                                key={a}
                                href={advisoryURL(a)}
                                target="_blank"
                                rel="noreferrer"
                                size="sm"
                                display="block"
                              >
                                {a}
                              </Anchor>
                            ))
                          : '—'}
                      </Table.Td>
                      <Table.Td>{formatRelative(e.detected_at)}</Table.Td>
                      <Table.Td>{formatDate(e.due_at)}</Table.Td>
                      <Table.Td>
                        <SlaBadge state={e.state === 'resolved' ? e.sla_outcome : e.sla_status} />
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
