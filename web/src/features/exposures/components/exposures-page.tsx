import { Anchor, Button, Group, Select, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { ModuleLink } from '@/components/module-link';
import { AcceptedBadge, SeverityBadge, severityLabels, SlaBadge } from '@/components/badges';
import { CsvButton } from '@/components/csv-button';
import { DataTable, phoneQuery, type Column } from '@/components/data-table';
import { ExternalLink } from '@/components/external-link';
import { PageHeader } from '@/components/page-header';
import { SearchBox } from '@/components/search-box';
import { Pager } from '@/components/pager';
import { Async, EmptyState } from '@/components/states';
import { atLeast, useMe } from '@/lib/auth';
import { dueIn, formatDate, formatDateTime, formatRelative } from '@/lib/format';
import { oneOf, useListParams } from '@/lib/url-state';
import { useExposures, type Exposure, type ExposuresParams } from '../api/get-exposures';
import { useOrganizationFilter } from '@/lib/organizations';
import { useOrganizationColumn } from '@/components/organization-column';
import { describeExposure, ExposureDrawer, RevokeAcceptanceDialog } from './exposure-drawer';
import { advisoryURL, projectURL } from './links';

export { advisoryURL, projectURL };

/** The SLA filter: the API's `overdue` and `accepted`. */
const slaFilter = [
  { value: 'overdue', label: 'Past due' },
  { value: 'not_overdue', label: 'Not past due' },
  { value: 'accepted', label: 'Risk accepted' },
];

const severities = [
  'highly_critical',
  'critical',
  'moderately_critical',
  'less_critical',
  'not_critical',
] as const;
const states = ['open', 'resolved'] as const;
const booleans = ['true', 'false'] as const;

/** The deadline, and how far it is, coloured by the SLA state; or until when the risk is accepted. */
function DueBadge({ e }: { e: Exposure }) {
  if (e.state === 'resolved') return <SlaBadge state={e.sla_outcome} />;
  if (e.accepted_until) return <AcceptedBadge until={e.accepted_until} />;
  return <SlaBadge state={e.sla_status} label={dueIn(e.due_at)} />;
}

export function ExposuresPage() {
  const list = useListParams({ sort: 'due_at', perPage: 50 });
  const orgs = useOrganizationFilter();
  const me = useMe();
  const organizationColumn = useOrganizationColumn((e: Exposure) => e.organization_id, '11%');
  const phone = useMediaQuery(phoneQuery) ?? false;
  const canAccept = atLeast(me.data?.role, 'org_admin');
  const accepted = oneOf(list.get('accepted'), booleans);
  const overdue = oneOf(list.get('overdue'), booleans);
  const organizationId = list.get('organization_id') || undefined;
  const severity = oneOf(list.get('severity'), severities);
  const params: ExposuresParams = {
    page: list.page,
    per_page: list.perPage,
    sort: list.sort,
    q: list.q || undefined,
    organization_id: organizationId,
    project: list.get('project') || undefined,
    severity,
    state: accepted === 'true' ? 'open' : (oneOf(list.get('state'), states) ?? 'open'),
    overdue,
    accepted,
  };
  // One query: each exposure says whether a risk acceptance holds, and until when.
  const exposures = useExposures(params);
  const [detail, setDetail] = useState<Exposure | null>(null);
  const [revoking, setRevoking] = useState<Exposure | null>(null);
  const { page: _page, per_page: _pp, ...csvQuery } = params;
  void _page;
  void _pp;

  const actions = (e: Exposure) => (
    <Group gap={4} wrap="nowrap" justify="flex-end">
      {canAccept && e.state !== 'resolved' && !e.accepted_until && (
        <Button
          size="compact-xs"
          variant="light"
          onClick={() => setDetail(e)}
          aria-label={`Accept risk: ${describeExposure(e)}`}
        >
          Accept risk
        </Button>
      )}
      {canAccept && e.accepted_until && (
        <Button
          size="compact-xs"
          variant="light"
          color="red.9"
          onClick={() => setRevoking(e)}
          aria-label={`Revoke the acceptance of ${describeExposure(e)}`}
        >
          Revoke
        </Button>
      )}
    </Group>
  );

  const columns: Column<Exposure>[] = [
    {
      key: 'site',
      header: 'Site',
      sortField: phone ? undefined : 'site_name',
      width: '15%',
      title: (e) => e.site_name,
      render: (e) => (
        <Anchor component={Link} to={`/sites/${e.site_id}?show=security`} size="sm">
          {e.site_name || e.site_id}
        </Anchor>
      ),
    },
    ...organizationColumn,
    {
      key: 'project',
      header: 'Project',
      sortField: 'project',
      width: '14%',
      title: (e) => e.project,
      render: (e) => (
        <>
          <ModuleLink name={e.project} />
          <ExternalLink
            href={projectURL(e.project)}
            label={`${e.project} on ${e.project.includes('/') ? 'Packagist' : 'drupal.org'}`}
            size="sm"
            c="dimmed"
          />
        </>
      ),
    },
    {
      key: 'versions',
      header: 'Installed → fix',
      width: '13%',
      title: (e) =>
        `${e.installed_version} → ${e.fixed_by?.length ? e.fixed_by.join(', ') : 'no fix: project unsupported'}`,
      render: (e) => (
        <Text span size="sm" ff="monospace">
          {e.installed_version} → {e.fixed_by?.length ? e.fixed_by.join(', ') : 'no fix'}
        </Text>
      ),
    },
    {
      key: 'severity',
      header: 'Severity',
      sortField: 'severity',
      width: 178,
      render: (e) => <SeverityBadge severity={e.severity} />,
    },
    {
      key: 'advisory',
      header: 'Advisory',
      width: '14%',
      title: (e) => e.advisories?.join(', ') || 'No advisory known',
      render: (e) =>
        e.advisories?.length ? (
          <>
            <ExternalLink href={advisoryURL(e.advisories[0])} size="sm">
              {e.advisories[0]}
            </ExternalLink>
            {e.advisories.length > 1 && (
              <Text span size="xs" c="dimmed">
                {' '}
                +{e.advisories.length - 1}
              </Text>
            )}
          </>
        ) : (
          '—'
        ),
    },
    {
      key: 'detected',
      header: 'Detected',
      sortField: 'detected_at',
      width: 118,
      title: (e) => formatDateTime(e.detected_at),
      render: (e) => formatRelative(e.detected_at),
    },
    {
      key: 'due',
      header: 'Due',
      sortField: 'due_at',
      width: 150,
      title: (e) =>
        e.accepted_until
          ? `Due ${formatDate(e.due_at)}; risk accepted until ${formatDate(e.accepted_until)}`
          : `Due ${formatDate(e.due_at)}`,
      render: (e) => <DueBadge e={e} />,
    },
    {
      key: 'actions',
      header: 'Actions',
      hideHeader: true,
      width: canAccept ? 112 : 0,
      render: actions,
    },
  ];

  const card = (e: Exposure) => (
    <Stack gap={4}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text fw={600} size="sm" truncate>
          {e.site_name || e.site_id}
        </Text>
        <SeverityBadge severity={e.severity} />
      </Group>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" truncate>
          <ModuleLink name={e.project} />{' '}
          <Text span size="sm" ff="monospace">
            {e.installed_version} → {e.fixed_by?.length ? e.fixed_by.join(', ') : 'no fix'}
          </Text>
        </Text>
        <DueBadge e={e} />
      </Group>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Button
          size="compact-xs"
          variant="subtle"
          onClick={() => setDetail(e)}
          aria-label={`Details: ${describeExposure(e)}`}
        >
          Details
        </Button>
        {actions(e)}
      </Group>
    </Stack>
  );

  const sla =
    accepted === 'true'
      ? 'accepted'
      : overdue === 'true'
        ? 'overdue'
        : overdue === 'false'
          ? 'not_overdue'
          : null;

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
          value={sla}
          onChange={(v) =>
            list.update({
              accepted: v === 'accepted' ? 'true' : '',
              overdue: v === 'overdue' ? 'true' : v === 'not_overdue' ? 'false' : '',
              state: v === 'accepted' ? '' : list.get('state'),
            })
          }
          w={180}
        />
        {accepted !== 'true' && (
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
      <Async
        query={exposures}
        what="The security updates list"
        isEmpty={(d) => !d.data?.length}
        empty={
          accepted === 'true' ? (
            <EmptyState title="No accepted risk">
              No open security update is accepted for these filters.
            </EmptyState>
          ) : (
            <EmptyState title="No security update matches">
              Nothing is outstanding for these filters.
            </EmptyState>
          )
        }
      >
        {(d) => (
          <>
            <DataTable
              label="Security updates"
              rows={d.data}
              columns={columns}
              rowKey={(e) => e.id}
              sort={list.sort}
              onSort={list.toggleSort}
              onRowClick={setDetail}
              rowLabel={describeExposure}
              card={card}
              fixed
              minWidth={1000}
            />
            <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
          </>
        )}
      </Async>
      <ExposureDrawer
        exposure={detail}
        canAccept={canAccept}
        onClose={() => setDetail(null)}
        onAccepted={(_, a) => setDetail((e) => e && { ...e, accepted_until: a.expires_at })}
        onRevoked={() => setDetail((e) => e && { ...e, accepted_until: null })}
      />
      <RevokeAcceptanceDialog
        exposure={revoking}
        onClose={() => setRevoking(null)}
        onRevoked={() => undefined}
      />
    </Stack>
  );
}
