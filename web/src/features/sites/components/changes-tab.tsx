import { Badge, Group, Text } from '@mantine/core';
import { CsvButton } from '@/components/csv-button';
import { DataTable, type Column } from '@/components/data-table';
import { Pager } from '@/components/pager';
import { SearchBox } from '@/components/search-box';
import { Async, EmptyState } from '@/components/states';
import { formatDateTime } from '@/lib/format';
import { useSiteChanges, type SiteChange } from '../api/get-site-changes';

const typeColors: Record<SiteChange['type'], string> = {
  added: 'teal.8',
  upgraded: 'indigo.7',
  downgraded: 'orange.8',
  rebuilt: 'gray.7',
  replaced: 'grape.8',
  removed: 'red.8',
};

/** Who brought a change: the patch run that did, else the push that reported it. */
export function changeSource(c: SiteChange): string {
  if (c.patch_run_id) {
    const tool = (c.patch_run_tool ?? 'manual').replace('_', ' ');
    return `patch run (${tool}${c.patch_run_status && c.patch_run_status !== 'succeeded' ? `, ${c.patch_run_status}` : ''})`;
  }
  if (c.audit_log_kind === 'composer_lock') return 'composer.lock push';
  if (c.audit_log_kind === 'inventory') return 'inventory push';
  return 'push';
}

const columns: Column<SiteChange>[] = [
  { key: 'at', header: 'When', width: 200, render: (c) => formatDateTime(c.at) },
  { key: 'module', header: 'Project', render: (c) => c.module },
  {
    key: 'type',
    header: 'Change',
    width: 120,
    render: (c) => <Badge color={typeColors[c.type]}>{c.type}</Badge>,
  },
  {
    key: 'versions',
    header: 'From → to',
    render: (c) => (
      <>
        <code>{c.from_version || '∅'}</code> → <code>{c.to_version || '∅'}</code>
      </>
    ),
    title: (c) => `${c.from_version || '∅'} → ${c.to_version || '∅'}`,
  },
  { key: 'by', header: 'By', render: changeSource },
];

/** A site's change log: every version change, newest first, paged, for one project or all. */
export function ChangesTab({
  siteId,
  siteName,
  page,
  module,
  onChange,
}: {
  siteId: string;
  siteName: string;
  page: number;
  module: string;
  onChange: (patch: { cpage?: number; module?: string }) => void;
}) {
  const query = { module: module || undefined };
  const changes = useSiteChanges(siteId, { ...query, page, per_page: 50 });
  return (
    <>
      <Group justify="space-between" align="flex-end" mb="xs" wrap="wrap">
        <SearchBox
          label="Only the changes of project"
          placeholder="Project, such as webform or twig/twig"
          value={module}
          onSearch={(m) => onChange({ module: m.trim(), cpage: undefined })}
        />
        <CsvButton
          path={`/sites/${siteId}/changes`}
          query={query}
          filename={`site-${siteName}-changes.csv`}
        />
      </Group>
      <Async
        query={changes}
        isEmpty={(d) => !d.data?.length}
        empty={
          <EmptyState title="No change yet">
            {module
              ? `This site never changed '${module}'.`
              : 'Changes appear once the site pushes an inventory that differs from the one before.'}
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <DataTable
              label="Changes"
              rows={d.data ?? []}
              columns={columns}
              rowKey={(c) => `${c.at}-${c.module}-${c.to_version}`}
              fixed
            />
            <Pager meta={d.meta} onPage={(p) => onChange({ cpage: p })} />
            <Text size="xs" c="dimmed" mt="xs">
              The date is when the site ran the new version: the collection time of the push that
              reported it.
            </Text>
          </>
        )}
      </Async>
    </>
  );
}
