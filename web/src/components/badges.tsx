import { Badge, Tooltip } from '@mantine/core';
import { formatDate, formatDateTime, formatRelative, staleness } from '@/lib/format';

export const severityLabels: Record<string, string> = {
  highly_critical: 'Highly critical',
  critical: 'Critical',
  moderately_critical: 'Moderately critical',
  less_critical: 'Less critical',
  not_critical: 'Not critical',
};
export const severityOrder = Object.keys(severityLabels);
export const severityColors: Record<string, string> = {
  highly_critical: 'red.9',
  critical: 'red.7',
  moderately_critical: 'orange.8',
  less_critical: 'yellow.8',
  not_critical: 'gray.7',
};

export function SeverityBadge({ severity }: { severity?: string | null }) {
  if (!severity) return <Badge color="gray">unknown</Badge>;
  return (
    <Badge color={severityColors[severity] ?? 'gray'}>{severityLabels[severity] ?? severity}</Badge>
  );
}

const statusInfo: Record<string, { label: string; color: string }> = {
  current: { label: 'Up to date', color: 'teal.8' },
  not_current: { label: 'Update available', color: 'yellow.8' },
  not_secure: { label: 'Security update', color: 'red.8' },
  revoked: { label: 'Revoked', color: 'red.9' },
  not_supported: { label: 'Unsupported', color: 'grape.8' },
  unknown: { label: 'Unknown', color: 'gray.7' },
};

export function StatusBadge({ status }: { status?: string | null }) {
  const info = statusInfo[status ?? 'unknown'] ?? { label: status ?? 'Unknown', color: 'gray.7' };
  return <Badge color={info.color}>{info.label}</Badge>;
}

const slaInfo: Record<string, { label: string; color: string }> = {
  within: { label: 'Within SLA', color: 'teal.8' },
  at_risk: { label: 'At risk', color: 'orange.8' },
  breached: { label: 'Past due', color: 'red.8' },
  accepted: { label: 'Risk accepted', color: 'indigo.7' },
};

/** An SLA state; label replaces the state's name (such as "overdue 245 d"), which is then the title. */
export function SlaBadge({ state, label }: { state?: string | null; label?: string }) {
  const info = slaInfo[state ?? ''] ?? { label: state ?? '—', color: 'gray.7' };
  return (
    <Badge color={info.color} title={label ? info.label : undefined}>
      {label ?? info.label}
    </Badge>
  );
}

const staleInfo = {
  fresh: { label: 'Reporting', color: 'teal.8' },
  stale: { label: 'Stale', color: 'yellow.8' },
  silent: { label: 'Silent', color: 'red.8' },
  never: { label: 'Never reported', color: 'gray.7' },
};

/** When a site last pushed, and a badge saying whether that is recent. */
export function LastSeen({ at }: { at?: string | null }) {
  const s = staleInfo[staleness(at)];
  return (
    <Tooltip label={at ? formatDateTime(at) : 'This site has never pushed an inventory'}>
      <span>
        {formatRelative(at)}{' '}
        <Badge size="xs" color={s.color}>
          {s.label}
        </Badge>
      </span>
    </Tooltip>
  );
}

/** An exposure whose risk an org admin accepted, until when. */
export function AcceptedBadge({ until }: { until?: string | null }) {
  return (
    <Tooltip label="The SLA clock is paused while the risk is accepted">
      <Badge color="indigo.7">
        {until ? `Accepted until ${formatDate(until)}` : 'Risk accepted'}
      </Badge>
    </Tooltip>
  );
}
