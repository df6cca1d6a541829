import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { Async, EmptyState } from '@/components/states';
import { atLeast, useMe } from '@/lib/auth';
import { useListParams } from '@/lib/url-state';
import { useSites } from '../api/get-sites';
import { CreateSiteModal } from './create-site-modal';
import { SitesTable } from './sites-table';

export function SitesPage() {
  const list = useListParams({ sort: 'name', perPage: 25 });
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState(list.q);
  const pushSearch = useDebouncedCallback((q: string) => list.update({ q }), 300);
  const sites = useSites({
    page: list.page,
    per_page: list.perPage,
    sort: list.sort,
    q: list.q || undefined,
  });

  return (
    <Stack>
      <PageHeader
        title="Sites"
        description="Every Drupal site you watch, and when each last reported."
        actions={
          atLeast(me.data?.role, 'member') && (
            <Button onClick={() => setCreating(true)}>Register a site</Button>
          )
        }
      />
      <Group>
        <TextInput
          aria-label="Search sites"
          placeholder="Search by name or address"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            pushSearch(e.currentTarget.value);
          }}
          w={{ base: '100%', sm: 320 }}
          type="search"
        />
      </Group>
      <Async
        query={sites}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState title={list.q ? 'No site matches your search' : 'No sites yet'}>
            {list.q
              ? 'Try another name or address.'
              : 'Register a site, create an API key for it, and point the Fleetwatch agent at it.'}
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <SitesTable sites={d.data} sort={list.sort} onSort={list.toggleSort} />
            <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
          </>
        )}
      </Async>
      <CreateSiteModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
