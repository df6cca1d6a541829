import { Group, Pagination, Text } from '@mantine/core';
import type { Meta } from '@/api/types';

export function Pager({ meta, onPage }: { meta?: Partial<Meta>; onPage: (page: number) => void }) {
  if (!meta?.total) return null;
  const perPage = meta.per_page || 50;
  const pages = Math.max(1, Math.ceil(meta.total / perPage));
  const page = meta.page || 1;
  const from = (page - 1) * perPage + 1;
  const to = Math.min(meta.total, page * perPage);
  return (
    <Group justify="space-between" mt="sm" wrap="wrap">
      <Text size="sm" c="dimmed">
        {from}–{to} of {meta.total}
      </Text>
      {pages > 1 && (
        <Pagination
          total={pages}
          value={page}
          onChange={onPage}
          size="sm"
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
        />
      )}
    </Group>
  );
}
