import { Anchor, Badge, Text } from '@mantine/core';
import { Link } from 'react-router';
import { SeverityBadge, severityOrder } from '@/components/badges';
import { DataTable } from '@/components/data-table';
import { useOrganizationColumn } from '@/components/organization-column';
import { formatDate } from '@/lib/format';
import type { OpenExposure } from '../api/get-open-exposures';

export interface SiteRisk {
  siteId: string;
  siteName: string;
  organizationId: string;
  open: number;
  /** open past their deadline, accepted risks excluded */
  overdue: number;
  /** open under a risk acceptance: their SLA clock is paused */
  accepted: number;
  worst: string;
  /** the earliest deadline of the updates that are not accepted */
  nextDue?: string;
  /** higher is worse: overdue first, then severity, then count */
  risk: number;
}

const dayMs = 86_400_000;

export function rankSites(exposures: OpenExposure[], now = Date.now()): SiteRisk[] {
  const bySite = new Map<string, SiteRisk>();
  for (const e of exposures) {
    const r = bySite.get(e.site_id) ?? {
      siteId: e.site_id,
      siteName: e.site_name || e.site_url || e.site_id,
      organizationId: e.organization_id,
      open: 0,
      overdue: 0,
      accepted: 0,
      worst: 'not_critical',
      risk: 0,
    };
    r.open++;
    const sev = e.severity || 'critical';
    if (severityOrder.indexOf(sev) < severityOrder.indexOf(r.worst)) r.worst = sev;
    if (e.sla_state === 'accepted') {
      r.accepted++;
    } else {
      if (e.sla_state === 'breached' || (e.due_at && new Date(e.due_at).getTime() < now)) {
        r.overdue++;
      }
      if (e.due_at && (!r.nextDue || e.due_at < r.nextDue)) r.nextDue = e.due_at;
    }
    bySite.set(e.site_id, r);
  }
  for (const r of bySite.values()) {
    r.risk =
      r.overdue * 1000 + (severityOrder.length - severityOrder.indexOf(r.worst)) * 100 + r.open;
  }
  return [...bySite.values()];
}

const sorters: Record<string, (a: SiteRisk, b: SiteRisk) => number> = {
  risk: (a, b) => a.risk - b.risk,
  site: (a, b) => a.siteName.localeCompare(b.siteName),
  // higher is worse, as with risk: "-severity" puts the most critical first
  severity: (a, b) => severityOrder.indexOf(b.worst) - severityOrder.indexOf(a.worst),
  open: (a, b) => a.open - b.open,
  overdue: (a, b) => a.overdue - b.overdue,
  due: (a, b) => (a.nextDue ?? '9').localeCompare(b.nextDue ?? '9'),
};

/** A deadline as the overview shows it: past ones in red as "overdue N d". */
export function Deadline({ at, now }: { at?: string; now: number }) {
  if (!at) return <>—</>;
  const t = new Date(at).getTime();
  if (t >= now) return <>{formatDate(at)}</>;
  const days = Math.max(1, Math.floor((now - t) / dayMs));
  return (
    <Text span c="var(--fw-danger-text)" fw={700} title={`Was due ${formatDate(at)}`}>
      overdue {days} d
    </Text>
  );
}

export function SiteRiskTable({
  rows,
  sort,
  onSort,
  now,
}: {
  rows: SiteRisk[];
  sort: string;
  onSort: (f: string) => void;
  /** the moment deadlines are measured against */
  now: number;
}) {
  const field = sort.replace(/^-/, '') || 'risk';
  const dir = sort.startsWith('-') ? -1 : 1;
  const sorted = [...rows].sort((a, b) => dir * (sorters[field] ?? sorters.risk)(a, b));
  const organization = useOrganizationColumn((r: SiteRisk) => r.organizationId);
  return (
    <>
      <Text size="xs" c="dimmed" mb={4}>
        {field === 'risk'
          ? 'Ranked by risk: sites past a deadline first, then by worst severity, then by count. Accepted risks do not count as past due.'
          : 'Accepted risks do not count as past due.'}
      </Text>
      <DataTable
        label="Sites by risk"
        rows={sorted}
        rowKey={(r) => r.siteId}
        sort={sort}
        onSort={onSort}
        minWidth={560}
        columns={[
          {
            key: 'site',
            header: 'Site',
            sortField: 'site',
            title: (r) => r.siteName,
            render: (r) => (
              <Anchor component={Link} to={`/sites/${r.siteId}?show=security`} size="sm">
                {r.siteName}
              </Anchor>
            ),
          },
          ...organization,
          {
            key: 'severity',
            header: 'Worst severity',
            sortField: 'severity',
            render: (r) => <SeverityBadge severity={r.worst} />,
          },
          {
            key: 'open',
            header: 'Security updates',
            sortField: 'open',
            render: (r) => (
              <>
                {r.open}
                {r.accepted > 0 && (
                  <Badge ml={6} size="sm" variant="outline" color="gray.8">
                    {r.accepted} accepted
                  </Badge>
                )}
              </>
            ),
          },
          {
            key: 'overdue',
            header: 'Past due',
            sortField: 'overdue',
            render: (r) => (
              <Text
                span
                size="sm"
                c={r.overdue ? 'var(--fw-danger-text)' : undefined}
                fw={r.overdue ? 700 : undefined}
              >
                {r.overdue}
              </Text>
            ),
          },
          {
            key: 'due',
            header: 'Next deadline',
            sortField: 'due',
            title: (r) => formatDate(r.nextDue),
            render: (r) => <Deadline at={r.nextDue} now={now} />,
          },
        ]}
      />
    </>
  );
}
