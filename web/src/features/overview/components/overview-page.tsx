import { BarChart, LineChart } from '@mantine/charts';
import { Anchor, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { severityColors, severityLabels, severityOrder } from '@/components/badges';
import { CsvButton } from '@/components/csv-button';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { Async, EmptyState } from '@/components/states';
import { formatDateTime, percent } from '@/lib/format';
import { useListParams } from '@/lib/url-state';
import { useSiteRisk } from '../api/get-site-risk';
import { useSummary, type Summary } from '../api/get-summary';
import { useTrends } from '../api/get-trends';
import { SiteRiskTable } from './site-risk-table';

function Stat({
  label,
  value,
  tone,
  to,
}: {
  label: string;
  value: ReactNode;
  tone?: string;
  to?: string;
}) {
  const body = (
    <Card withBorder padding="md" h="100%">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={28} fw={700} c={tone}>
        {value}
      </Text>
    </Card>
  );
  return to ? (
    <Anchor component={Link} to={to} underline="never" c="inherit">
      {body}
    </Anchor>
  ) : (
    body
  );
}

const sevKey: Record<string, keyof Summary> = {
  highly_critical: 'security_highly_critical',
  critical: 'security_critical',
  moderately_critical: 'security_moderately_critical',
  less_critical: 'security_less_critical',
  not_critical: 'security_not_critical',
};

function isoDay(offsetDays: number) {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function OverviewPage() {
  const list = useListParams({ sort: '-risk' });
  const summary = useSummary();
  const exposures = useSiteRisk({ sort: list.sort, page: list.page, per_page: list.perPage });
  // Deadlines are measured against the moment the list was read.
  const now = exposures.dataUpdatedAt;
  const trends = useTrends({ from: isoDay(-30), to: isoDay(0) });

  return (
    <Stack gap="lg">
      <PageHeader
        title="Fleet overview"
        description="What needs patching today, and whether you are keeping up."
      />
      <Async query={summary} what="The fleet summary report">
        {(s) => (
          <Stack>
            <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
              <Stat
                label="Security updates"
                value={s.security_updates ?? 0}
                tone={s.security_updates ? 'red.8' : undefined}
                to="/security?state=open"
              />
              <Stat
                label="Past deadline"
                value={s.overdue_exposures ?? 0}
                tone={s.overdue_exposures ? 'red.8' : undefined}
                to="/security?overdue=true"
              />
              <Stat
                label="Sites affected"
                value={`${s.sites_with_security_updates ?? 0} / ${s.sites ?? 0}`}
              />
              <Stat label="Other updates" value={s.updates_available ?? 0} to="/updates" />
              <Stat
                label="Stale sites"
                value={s.stale_sites ?? 0}
                tone={s.stale_sites ? 'orange.8' : undefined}
                to="/sites?sort=last_seen_at"
              />
              <Stat label="SLA compliance (30 d)" value={percent(s.compliance_30d)} to="/sla" />
            </SimpleGrid>
            <Text size="xs" c="dimmed">
              {s.sites_reporting_24h ?? 0} of {s.sites ?? 0} sites reported in the last 24 hours ·{' '}
              {s.projects ?? 0} projects · compliance over 90 days {percent(s.compliance_90d)} ·
              generated {formatDateTime(s.generated_at)}
              {s.accepted_exposures ? (
                <>
                  {' · '}
                  <Anchor component={Link} to="/security?accepted=true" size="xs">
                    {s.accepted_exposures} accepted {s.accepted_exposures === 1 ? 'risk' : 'risks'}
                  </Anchor>
                </>
              ) : null}
            </Text>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  Security updates by severity
                </Title>
                {s.security_updates ? (
                  <BarChart
                    h={220}
                    data={severityOrder.map((k) => ({
                      severity: severityLabels[k],
                      count: Number(s[sevKey[k]] ?? 0),
                      color: severityColors[k],
                    }))}
                    dataKey="severity"
                    series={[{ name: 'count', label: 'Open', color: 'red.7' }]}
                    role="img"
                    aria-label="Bar chart of open security updates by severity"
                  />
                ) : (
                  <EmptyState title="No open security update">Every site is patched.</EmptyState>
                )}
              </Card>
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  Last 30 days
                </Title>
                <Async
                  query={trends}
                  what="The trend report"
                  isEmpty={(d) => !d.data?.length}
                  empty={<EmptyState title="No data yet" />}
                >
                  {(d) => (
                    <LineChart
                      h={220}
                      data={d.data.map((r) => ({
                        ...r,
                        compliance_pct: r.compliance_pct ?? undefined,
                      }))}
                      dataKey="day"
                      series={[
                        { name: 'open_security_updates', label: 'Open', color: 'red.7' },
                        { name: 'overdue', label: 'Past due', color: 'orange.7' },
                        { name: 'resolved', label: 'Resolved', color: 'teal.7' },
                      ]}
                      withLegend
                      curveType="monotone"
                      role="img"
                      aria-label="Line chart of security updates per day"
                    />
                  )}
                </Async>
              </Card>
            </SimpleGrid>
          </Stack>
        )}
      </Async>
      <Card withBorder>
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4">
            Sites needing a security update
          </Title>
          <CsvButton
            path="/reports/site-risk"
            query={{ sort: list.sort }}
            filename="sites-by-risk.csv"
          />
        </Group>
        <Async
          query={exposures}
          what="The security updates list"
          isEmpty={(d) => !d.data?.length}
          empty={
            <EmptyState title="No site needs a security update">
              Nothing is outstanding right now.
            </EmptyState>
          }
        >
          {(d) => (
            <>
              <SiteRiskTable
                rows={d.data ?? []}
                sort={list.sort}
                onSort={list.toggleSort}
                now={now}
              />
              <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
            </>
          )}
        </Async>
      </Card>
    </Stack>
  );
}
