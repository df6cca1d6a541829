import { Anchor, Badge, Text } from '@mantine/core';
import { Link } from 'react-router';
import { SeverityBadge } from '@/components/badges';
import { DataTable } from '@/components/data-table';
import { useOrganizationColumn } from '@/components/organization-column';
import { formatDate } from '@/lib/format';
import type { SiteRiskRow } from '@/api/types';

const dayMs = 86_400_000;

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

/**
 * The sites that need a security update, as the server ranks them
 * (GET /reports/site-risk): sorted and paged there, so a fleet of thousands
 * of sites is ranked whole.
 */
export function SiteRiskTable({
  rows,
  sort,
  onSort,
  now,
}: {
  rows: SiteRiskRow[];
  sort: string;
  onSort: (f: string) => void;
  /** the moment deadlines are measured against */
  now: number;
}) {
  const field = sort.replace(/^-/, '') || 'risk';
  const organization = useOrganizationColumn((r: SiteRiskRow) => r.organization_id);
  return (
    <>
      <Text size="xs" c="dimmed" mb={4}>
        {field === 'risk'
          ? 'Ranked by risk: sites past a deadline first, then by worst severity, then by count. Accepted risks do not count as past due.'
          : 'Accepted risks do not count as past due.'}
      </Text>
      <DataTable
        label="Sites by risk"
        rows={rows}
        rowKey={(r) => r.site_id}
        sort={sort}
        onSort={onSort}
        minWidth={560}
        columns={[
          {
            key: 'site',
            header: 'Site',
            sortField: 'site_name',
            title: (r) => r.site_name || r.site_url,
            render: (r) => (
              <Anchor component={Link} to={`/sites/${r.site_id}?show=security`} size="sm">
                {r.site_name || r.site_url || r.site_id}
              </Anchor>
            ),
          },
          ...organization,
          {
            key: 'severity',
            header: 'Worst severity',
            sortField: 'worst_severity',
            render: (r) => <SeverityBadge severity={r.worst_severity} />,
          },
          {
            key: 'open',
            header: 'Security updates',
            sortField: 'security_updates',
            render: (r) => (
              <>
                {r.security_updates}
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
            sortField: 'past_due',
            render: (r) => (
              <Text
                span
                size="sm"
                c={r.past_due ? 'var(--fw-danger-text)' : undefined}
                fw={r.past_due ? 700 : undefined}
              >
                {r.past_due}
              </Text>
            ),
          },
          {
            key: 'due',
            header: 'Next deadline',
            sortField: 'next_due_at',
            title: (r) => formatDate(r.next_due_at ?? undefined),
            render: (r) => <Deadline at={r.next_due_at ?? undefined} now={now} />,
          },
        ]}
      />
    </>
  );
}
