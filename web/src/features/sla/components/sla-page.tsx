import { LineChart } from '@mantine/charts';
import { Anchor, Card, Group, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useState } from 'react';
import { CsvButton } from '@/components/csv-button';
import { DataTable } from '@/components/data-table';
import { DateField } from '@/components/date-field';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { Async, EmptyState } from '@/components/states';
import { atLeast, useMe } from '@/lib/auth';
import { percent } from '@/lib/format';
import { useListParams } from '@/lib/url-state';
import { useComplianceTrend } from '../api/get-compliance-trend';
import { useOrganizationChoices } from '../api/get-organization-choices';
import { useSlaCompliance } from '../api/get-sla-compliance';
import { presets, weeklyCompliance } from './sla-period';
import { SlaPolicyForm } from './sla-policy-form';

/** The compliance the chart's target line marks, in %. */
const complianceTarget = 95;

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const hours = (h?: number | null) =>
  h === undefined || h === null ? '—' : h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} d`;

export function SlaPage() {
  const list = useListParams();
  const me = useMe();
  const from = list.get('from') || day(-90);
  const to = list.get('to') || day(0);
  const groupBy = list.get('group_by') || 'organization';
  // The report answers both scopes (each row's `scope`); the page shows one.
  const isAdmin = me.data?.role === 'admin';
  // Only an admin sees more than one organization, so only they filter by one.
  const organizationId = (isAdmin && list.get('organization_id')) || undefined;
  const scope = { from, to, organization_id: organizationId };
  // One scope's rows a page at a time: a fleet of thousands of sites would
  // push the organizations' rows (and most sites) past any single page.
  const tableQuery = {
    ...scope,
    scope: groupBy === 'site' ? ('site' as const) : ('organization' as const),
  };
  const compliance = useSlaCompliance({ ...tableQuery, page: list.page, per_page: list.perPage });
  const trend = useComplianceTrend(scope);
  const [today] = useState(() => new Date());
  const periods = presets(today);
  const preset = periods.find((p) => p.period.from === from && p.period.to === to)?.value ?? null;
  const orgs = useOrganizationChoices(isAdmin);
  // An admin belongs to no organization: they pick whose policy to edit.
  const orgId =
    me.data?.organization_id ??
    (isAdmin ? list.get('policy_org') || orgs.data?.data?.[0]?.id : undefined);

  return (
    <Stack gap="lg">
      <PageHeader
        title="SLA compliance"
        description="How many security updates were patched within their deadline."
        actions={
          <CsvButton
            path="/reports/sla-compliance"
            query={tableQuery}
            filename={`sla-${from}-${to}.csv`}
          />
        }
      />
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Period"
          data={periods.map((p) => ({ value: p.value, label: p.label }))}
          value={preset}
          placeholder="Custom"
          onChange={(v) => {
            const p = periods.find((x) => x.value === v);
            if (p) list.update({ from: p.period.from, to: p.period.to });
          }}
          w={170}
        />
        <DateField label="From" value={from} onChange={(v) => list.update({ from: v })} />
        <DateField label="To" value={to} onChange={(v) => list.update({ to: v })} />
        {isAdmin && (
          <Select
            label="Organization"
            placeholder="All organizations"
            clearable
            searchable
            data={(orgs.data?.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            value={organizationId ?? null}
            onChange={(v) => list.update({ organization_id: v ?? '' })}
            w={220}
          />
        )}
        <SegmentedControl
          aria-label="Group by"
          value={groupBy}
          onChange={(v) => list.update({ group_by: v === 'organization' ? '' : v })}
          data={[
            { value: 'organization', label: 'Per organization' },
            { value: 'site', label: 'Per site' },
          ]}
        />
      </Group>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Weekly compliance
        </Title>
        <Text size="xs" c="dimmed" mb="xs">
          Security updates patched within their deadline, of those patched each week (Monday to
          Sunday, UTC). A week in which nothing was patched is a gap, not 0 %. The orange line is
          the {complianceTarget} % target.
        </Text>
        <Async
          query={trend}
          what="The trend report"
          isEmpty={(d) => !d.data?.length}
          empty={<EmptyState title="No data yet" />}
        >
          {(d) => (
            <LineChart
              h={220}
              data={weeklyCompliance(d.data).map((w) => ({
                week: w.week,
                compliance: w.compliance === undefined ? null : Math.round(w.compliance * 10) / 10,
              }))}
              dataKey="week"
              series={[{ name: 'compliance', label: 'Compliance %', color: 'teal.7' }]}
              yAxisProps={{ domain: [0, 100], allowDataOverflow: true }}
              referenceLines={[
                { y: complianceTarget, label: `Target ${complianceTarget} %`, color: 'orange.8' },
              ]}
              connectNulls={false}
              withDots
              role="img"
              aria-label="Line chart of weekly SLA compliance"
            />
          )}
        </Async>
      </Card>
      <Async
        query={compliance}
        what="The SLA compliance report"
        isEmpty={(d) => !d.data?.length}
        empty={
          <EmptyState title="No security update was closed in this period">
            Pick a longer period.
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <DataTable
              label="SLA compliance"
              rows={d.data}
              rowKey={(r) => `${r.organization_id}-${r.site_id ?? ''}`}
              minWidth={760}
              columns={[
                {
                  key: 'name',
                  header: groupBy === 'site' ? 'Site' : 'Organization',
                  title: (r) => (r.site_id ? r.site_name : r.organization_name) || undefined,
                  render: (r) =>
                    r.site_id ? (
                      <Anchor component={Link} to={`/sites/${r.site_id}`} size="sm">
                        {r.site_name}
                      </Anchor>
                    ) : (
                      r.organization_name || r.organization_id
                    ),
                },
                {
                  key: 'compliance',
                  header: 'Compliance',
                  render: (r) => (
                    <Text span size="sm" fw={600}>
                      {percent(r.compliance_pct)}
                    </Text>
                  ),
                },
                { key: 'closed', header: 'Closed', render: (r) => r.closed ?? 0 },
                { key: 'within', header: 'Within', render: (r) => r.within ?? 0 },
                { key: 'late', header: 'Late', render: (r) => r.breached ?? 0 },
                {
                  key: 'open_breaches',
                  header: 'Open breaches',
                  render: (r) => (
                    <Text span size="sm" c={r.open_breaches ? 'var(--fw-danger-text)' : undefined}>
                      {r.open_breaches ?? 0}
                    </Text>
                  ),
                },
                {
                  key: 'mean',
                  header: 'Mean time to patch',
                  render: (r) => hours(r.mean_hours_to_patch),
                },
                { key: 'p90', header: 'p90', render: (r) => hours(r.p90_hours_to_patch) },
              ]}
            />
            <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
          </>
        )}
      </Async>
      {orgId && atLeast(me.data?.role, 'viewer') && (
        <Card withBorder>
          <Stack>
            {isAdmin && (orgs.data?.data?.length ?? 0) > 0 && (
              <Select
                label="Organization whose policy to edit"
                data={(orgs.data?.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
                value={orgId}
                onChange={(v) => list.update({ policy_org: v ?? '' })}
                allowDeselect={false}
                searchable
                maw={320}
              />
            )}
            <SlaPolicyForm
              key={orgId}
              orgId={orgId}
              canEdit={atLeast(me.data?.role, 'org_admin')}
            />
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
