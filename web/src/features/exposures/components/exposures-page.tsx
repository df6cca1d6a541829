import { Anchor, Button, Group, Select, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { AcceptedBadge, SeverityBadge, severityLabels, SlaBadge } from '@/components/badges';
import { CsvButton } from '@/components/csv-button';
import { PageHeader } from '@/components/page-header';
import { SearchBox } from '@/components/search-box';
import { Pager } from '@/components/pager';
import { SortableTh } from '@/components/sortable-th';
import { Async, EmptyState } from '@/components/states';
import { atLeast, useMe } from '@/lib/auth';
import { formatDate, formatRelative } from '@/lib/format';
import { useListParams } from '@/lib/url-state';
import { useExposures, type Exposure, type ExposuresParams } from '../api/get-exposures';
import { useOrganizationFilter } from '../api/get-organization-filter';
import { useSecurityUpdates, type SecurityUpdateRow } from '../api/get-security-updates';
import { describeExposure, ExposureDrawer, RevokeAcceptanceDialog } from './exposure-drawer';
import { advisoryURL, projectURL } from './links';

export { advisoryURL, projectURL };

/** The SLA filter: past due / not past due are the API's `overdue`; accepted comes from the report. */
const slaFilter = [
  { value: 'overdue', label: 'Past due' },
  { value: 'not_overdue', label: 'Not past due' },
  { value: 'accepted', label: 'Risk accepted' },
];

/** An accepted exposure of the report, shaped like a row of GET /exposures. */
const fromReport = (r: SecurityUpdateRow): Exposure => ({
  id: r.exposure_id,
  site_id: r.site_id,
  site_name: r.site_name,
  organization_id: r.organization_id,
  project: r.project,
  installed_version: r.installed_version,
  fixed_by: r.fixed_versions,
  severity: r.severity,
  detected_at: r.detected_at,
  due_at: r.due_at,
  state: 'open',
  sla_status: r.sla_state,
});

export function ExposuresPage() {
  const list = useListParams({ sort: 'due_at', perPage: 50 });
  const orgs = useOrganizationFilter();
  const me = useMe();
  const canAccept = atLeast(me.data?.role, 'org_admin');
  const accepted = list.get('accepted') === 'true';
  const overdue = list.get('overdue');
  const organizationId = list.get('organization_id') || undefined;
  const params: ExposuresParams = {
    page: list.page,
    per_page: list.perPage,
    sort: list.sort,
    q: list.q || undefined,
    organization_id: organizationId,
    severity: list.get('severity') || undefined,
    project: list.get('project') || undefined,
    state: list.get('state') || 'open',
    overdue: overdue === 'true' || overdue === 'false' ? overdue : undefined,
  };
  const exposures = useExposures(params);
  // Which open exposures are accepted, and until when: only the report says.
  const report = useSecurityUpdates({ organization_id: organizationId, q: list.q || undefined });
  // What this tab accepted or revoked since: the report is cached on the server for a minute.
  const [changed, setChanged] = useState<Record<string, string | null>>({});
  const acceptedUntil = (id: string): string | null => {
    if (id in changed) return changed[id];
    return report.data?.data?.find((r) => r.exposure_id === id)?.accepted_until ?? null;
  };
  const [detail, setDetail] = useState<Exposure | null>(null);
  const [revoking, setRevoking] = useState<Exposure | null>(null);

  const { page: _page, per_page: _pp, ...csvQuery } = params;
  void _page;
  void _pp;
  const severity = list.get('severity');
  const acceptedRows = (report.data?.data ?? [])
    .filter((r) => acceptedUntil(r.exposure_id))
    .filter((r) => !severity || r.severity === severity)
    .map(fromReport);

  const table = (rows: Exposure[]) => (
    <Table.ScrollContainer minWidth={1120}>
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
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((e) => {
            const until = e.state === 'resolved' ? null : acceptedUntil(e.id);
            return (
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
                  <Anchor href={projectURL(e.project)} target="_blank" rel="noreferrer" size="xs">
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
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
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
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Group gap={4} wrap="nowrap">
                    {until ? (
                      <AcceptedBadge until={until} />
                    ) : (
                      <SlaBadge
                        state={
                          e.state === 'resolved'
                            ? e.sla_outcome
                            : e.sla_status === 'accepted'
                              ? 'within'
                              : e.sla_status
                        }
                      />
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => setDetail(e)}
                      aria-label={`Details of ${describeExposure(e)}`}
                    >
                      Details
                    </Button>
                    {canAccept && e.state !== 'resolved' && !until && (
                      <Button
                        size="compact-xs"
                        variant="light"
                        onClick={() => setDetail(e)}
                        aria-label={`Accept the risk of ${describeExposure(e)}`}
                      >
                        Accept risk
                      </Button>
                    )}
                    {canAccept && until && (
                      <Button
                        size="compact-xs"
                        variant="light"
                        color="red"
                        onClick={() => setRevoking(e)}
                        aria-label={`Revoke the acceptance of ${describeExposure(e)}`}
                      >
                        Revoke
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );

  return (
    <Stack>
      <PageHeader
        title="Security updates"
        description="Open security updates across the fleet, with the deadline each must be patched by."
        actions={
          accepted ? (
            <CsvButton
              path="/reports/security-updates"
              query={{ organization_id: organizationId, q: list.q || undefined }}
              filename="security-updates-report.csv"
            />
          ) : (
            <CsvButton path="/exposures" query={{ ...csvQuery }} filename="security-updates.csv" />
          )
        }
      />
      <Group wrap="wrap" align="flex-end">
        <SearchBox
          label="Search"
          placeholder="Site, address or project"
          value={list.q}
          onSearch={(q) => list.update({ q })}
        />
        {list.get('project') && (
          <Button variant="light" size="xs" onClick={() => list.update({ project: '' })}>
            Project: {list.get('project')} ×
          </Button>
        )}
        {(orgs.data?.data.length ?? 0) > 1 && (
          <Select
            label="Organization"
            clearable
            searchable
            data={(orgs.data?.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            value={organizationId ?? null}
            onChange={(v) => list.update({ organization_id: v ?? '' })}
            w={220}
          />
        )}
        <Select
          label="Severity"
          clearable
          data={Object.entries(severityLabels).map(([value, label]) => ({ value, label }))}
          value={severity || null}
          onChange={(v) => list.update({ severity: v ?? '' })}
          w={200}
        />
        <Select
          label="SLA"
          clearable
          data={slaFilter}
          value={
            accepted
              ? 'accepted'
              : overdue === 'true'
                ? 'overdue'
                : overdue === 'false'
                  ? 'not_overdue'
                  : null
          }
          onChange={(v) =>
            list.update({
              accepted: v === 'accepted' ? 'true' : '',
              overdue: v === 'overdue' ? 'true' : v === 'not_overdue' ? 'false' : '',
              state: v === 'accepted' ? '' : list.get('state'),
            })
          }
          w={180}
        />
        {!accepted && (
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
        )}
      </Group>
      {!accepted && report.data && (report.data.data ?? []).some((r) => r.accepted_until) && (
        <Text size="sm" c="dimmed">
          Accepted risks are marked “Accepted until …”; their SLA clock is paused.{' '}
          <Anchor component={Link} to="/security?accepted=true" size="sm">
            Show only accepted risks
          </Anchor>
        </Text>
      )}
      {accepted ? (
        <Async
          query={report}
          what="The list of accepted risks"
          isEmpty={() => acceptedRows.length === 0}
          empty={
            <EmptyState title="No accepted risk">
              No open security update is accepted for these filters.
            </EmptyState>
          }
        >
          {() => table(acceptedRows)}
        </Async>
      ) : (
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
              {table(d.data)}
              <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
            </>
          )}
        </Async>
      )}
      <ExposureDrawer
        exposure={detail}
        canAccept={canAccept}
        onClose={() => setDetail(null)}
        onAccepted={(id, a) => setChanged((c) => ({ ...c, [id]: a.expires_at }))}
        onRevoked={(id) => setChanged((c) => ({ ...c, [id]: null }))}
      />
      <RevokeAcceptanceDialog
        exposure={revoking}
        onClose={() => setRevoking(null)}
        onRevoked={(id) => setChanged((c) => ({ ...c, [id]: null }))}
      />
    </Stack>
  );
}
