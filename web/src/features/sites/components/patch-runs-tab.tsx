import { Badge } from '@mantine/core';
import { DataTable, type Column } from '@/components/data-table';
import { Pager } from '@/components/pager';
import { EmptyState } from '@/components/states';
import { formatDateTime } from '@/lib/format';
import type { Page } from '@/api/types';
import type { PatchRun } from '../api/get-site-patch-runs';

const colors: Record<string, string> = {
  succeeded: 'teal.8',
  failed: 'red.8',
  partial: 'orange.8',
};

const change = (c: NonNullable<PatchRun['changes']>[number]) =>
  `${c.name} ${c.from_version || '∅'} → ${c.to_version || '∅'}`;

/** A run's changes on one line: the first two, then how many more (all of them in the title). */
export function summarizeChanges(run: PatchRun): string {
  const all = run.changes ?? [];
  if (!all.length) return run.notes || 'no change';
  const shown = all.slice(0, 2).map(change).join(', ');
  return all.length > 2 ? `${shown} and ${all.length - 2} more` : shown;
}

const columns: Column<PatchRun>[] = [
  {
    key: 'when',
    header: 'When',
    width: 200,
    render: (r) => formatDateTime(r.run_date ?? r.finished_at ?? r.started_at),
  },
  {
    key: 'status',
    header: 'Status',
    width: 110,
    render: (r) => <Badge color={colors[r.status ?? ''] ?? 'gray.7'}>{r.status ?? '—'}</Badge>,
  },
  { key: 'tool', header: 'Tool', width: 150, render: (r) => (r.tool ?? '—').replace('_', ' ') },
  {
    key: 'changes',
    header: 'Changes',
    render: summarizeChanges,
    title: (r) => (r.changes ?? []).map(change).join('\n') || undefined,
  },
];

/** A site's patch runs, one line each, newest first, paged. */
export function PatchRunsTab({
  runs,
  onPage,
}: {
  runs: Page<PatchRun>;
  onPage: (page: number) => void;
}) {
  if (!runs.data?.length)
    return <EmptyState title="No data yet">No patch run was recorded for this site.</EmptyState>;
  return (
    <>
      <DataTable label="Patch runs" rows={runs.data} columns={columns} rowKey={(r) => r.id} fixed />
      <Pager meta={runs.meta} onPage={onPage} />
    </>
  );
}
