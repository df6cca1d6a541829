import { Anchor, Group, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { ModuleLink } from '@/components/module-link';
import { CsvButton } from '@/components/csv-button';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { DataTable, type Column } from '@/components/data-table';
import { Async, EmptyState } from '@/components/states';
import { oneOf, useListParams } from '@/lib/url-state';
import { useModules, type Module } from '../api/get-modules';

const moduleTypes = ['module', 'theme', 'profile', 'core', 'library'] as const;

/**
 * Every project and PHP library the sites you can see run, with how many run
 * it and how many need a security update: sorted by the latter, the
 * Libraries filter is the fleet's most widespread vulnerable libraries.
 */
const columns: Column<Module>[] = [
  {
    key: 'name',
    header: 'Project',
    sortField: 'name',
    title: (m) => m.name,
    render: (m) => (
      <>
        <ModuleLink name={m.name} />
        {m.source === 'custom' && (
          <Text span size="xs" c="dimmed">
            {' '}
            custom
          </Text>
        )}
      </>
    ),
  },
  { key: 'type', header: 'Type', render: (m) => m.type },
  { key: 'sites', header: 'Sites', sortField: 'sites_count', render: (m) => m.sites_count },
  {
    key: 'security',
    header: 'Need a security update',
    sortField: 'security_sites_count',
    render: (m) =>
      m.security_sites_count ? (
        <Anchor
          component={Link}
          to={`/security?project=${encodeURIComponent(m.name)}`}
          c="red.9"
          fw={700}
          size="sm"
        >
          {m.security_sites_count}
        </Anchor>
      ) : (
        0
      ),
  },
];

export function ModulesPage() {
  const list = useListParams({ sort: '-security_sites_count,name', perPage: 50 });
  const [search, setSearch] = useState(list.q);
  const pushSearch = useDebouncedCallback((q: string) => list.update({ q }), 300);
  const type = list.get('type');
  const filters = { sort: list.sort, q: list.q || undefined, type: oneOf(type, moduleTypes) };
  const modules = useModules({ page: list.page, per_page: list.perPage, ...filters });

  return (
    <Stack>
      <PageHeader
        title="Modules"
        description="Every Drupal project and PHP library your sites run, how many sites run it, and how many of them need a security update."
        actions={<CsvButton path="/modules" query={filters} filename="modules.csv" />}
      />
      <Group wrap="wrap" align="flex-end">
        <TextInput
          aria-label="Search modules"
          placeholder="Search by name, such as webform or guzzlehttp/guzzle"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            pushSearch(e.currentTarget.value);
          }}
          w={{ base: '100%', sm: 320 }}
          type="search"
        />
        <SegmentedControl
          aria-label="Type"
          size="xs"
          value={type || 'all'}
          onChange={(v) => list.update({ type: v === 'all' ? '' : v })}
          data={[
            { value: 'all', label: 'All' },
            { value: 'core', label: 'Core' },
            { value: 'module', label: 'Modules' },
            { value: 'theme', label: 'Themes' },
            { value: 'profile', label: 'Profiles' },
            { value: 'library', label: 'Libraries' },
          ]}
        />
      </Group>
      <Async
        query={modules}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState
            title={list.q ? `No site you can see runs '${list.q}'` : 'No project reported yet'}
          >
            {list.q
              ? 'Check the name: the search matches the project’s machine name.'
              : 'Projects appear here once your sites push their inventory.'}
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <DataTable
              label="Modules"
              rows={d.data}
              columns={columns}
              rowKey={(m) => m.name}
              sort={list.sort}
              onSort={list.toggleSort}
              minWidth={560}
            />
            <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
          </>
        )}
      </Async>
    </Stack>
  );
}
