import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import { SeverityBadge, severityOrder } from '@/components/badges';
import { DataTable } from '@/components/data-table';
import { formatDate } from '@/lib/format';
import type { OpenExposure } from '../api/get-open-exposures';

export interface SiteRisk {
  siteId: string;
  siteName: string;
  open: number;
  overdue: number;
  worst: string;
  nextDue?: string;
  /** higher is worse: overdue first, then severity, then count */
  risk: number;
}

export function rankSites(exposures: OpenExposure[], now = Date.now()): SiteRisk[] {
  const bySite = new Map<string, SiteRisk>();
  for (const e of exposures) {
    const r = bySite.get(e.site_id) ?? {
      siteId: e.site_id,
      siteName: e.site_name || e.site_id,
      open: 0,
      overdue: 0,
      worst: 'not_critical',
      risk: 0,
    };
    r.open++;
    const overdue =
      e.sla_status === 'breached' || (e.due_at ? new Date(e.due_at).getTime() < now : false);
    if (overdue) r.overdue++;
    const sev = e.severity ?? 'critical';
    if (severityOrder.indexOf(sev) < severityOrder.indexOf(r.worst)) r.worst = sev;
    if (e.due_at && (!r.nextDue || e.due_at < r.nextDue)) r.nextDue = e.due_at;
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
  open: (a, b) => a.open - b.open,
  overdue: (a, b) => a.overdue - b.overdue,
  due: (a, b) => (a.nextDue ?? '9').localeCompare(b.nextDue ?? '9'),
};

export function SiteRiskTable({
  rows,
  sort,
  onSort,
}: {
  rows: SiteRisk[];
  sort: string;
  onSort: (f: string) => void;
}) {
  const field = sort.replace(/^-/, '') || 'risk';
  const dir = sort.startsWith('-') ? -1 : 1;
  const sorted = [...rows].sort((a, b) => dir * (sorters[field] ?? sorters.risk)(a, b));
  return (
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
        {
          key: 'risk',
          header: 'Worst severity',
          sortField: 'risk',
          render: (r) => <SeverityBadge severity={r.worst} />,
        },
        { key: 'open', header: 'Security updates', sortField: 'open', render: (r) => r.open },
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
          render: (r) => formatDate(r.nextDue),
        },
      ]}
    />
  );
}
