import { Badge, Button, Group, Modal, Stack, Switch, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Organization } from '@/api/types';
import { ApiErrorAlert } from '@/components/api-error';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { DataTable } from '@/components/data-table';
import { Async, EmptyState } from '@/components/states';
import { atLeast, useMe } from '@/lib/auth';
import { formatDate } from '@/lib/format';
import { useListParams } from '@/lib/url-state';
import { useOrganizations, useSaveOrganization } from '../api/organizations';
import { IntegrationKeysModal } from './integration-keys';

function OrganizationModal({
  org,
  onClose,
}: {
  org: Organization | 'new' | null;
  onClose: () => void;
}) {
  const existing = org && org !== 'new' ? org : null;
  const save = useSaveOrganization();
  const [name, setName] = useState(existing?.name ?? '');
  const [taxId, setTaxId] = useState(existing?.tax_id ?? '');
  const [active, setActive] = useState(existing?.is_active ?? true);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      {
        id: existing?.id,
        body: { name, tax_id: taxId, ...(existing ? { is_active: active } : {}) },
      },
      { onSuccess: onClose },
    );
  };
  return (
    <Modal
      opened={org !== null}
      onClose={onClose}
      title={existing ? 'Edit organization' : 'New organization'}
    >
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            data-autofocus
          />
          <TextInput
            label="Tax id"
            value={taxId}
            onChange={(e) => setTaxId(e.currentTarget.value)}
          />
          {existing && (
            <Switch
              label="Active"
              checked={active}
              onChange={(e) => setActive(e.currentTarget.checked)}
            />
          )}
          <ApiErrorAlert error={save.error} title="Not saved" />
          <Button type="submit" loading={save.isPending}>
            Save
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

export function OrganizationsPage() {
  const list = useListParams({ sort: 'name' });
  const me = useMe();
  const orgs = useOrganizations({ page: list.page, sort: list.sort, q: list.q || undefined });
  const [editing, setEditing] = useState<Organization | 'new' | null>(null);
  const [keysOf, setKeysOf] = useState<Organization | null>(null);
  const canManageKeys = atLeast(me.data?.role, 'org_admin');
  return (
    <Stack>
      <PageHeader
        title="Organizations"
        description="Each organization owns its sites, users and SLA policy."
        actions={
          me.data?.role === 'admin' && (
            <Button onClick={() => setEditing('new')}>New organization</Button>
          )
        }
      />
      <Async
        query={orgs}
        isEmpty={(d) => !d.data.length}
        empty={<EmptyState title="No organizations yet" />}
      >
        {(d) => (
          <>
            <DataTable
              label="Organizations"
              rows={d.data}
              rowKey={(o) => o.id}
              sort={list.sort}
              onSort={list.toggleSort}
              minWidth={640}
              columns={[
                { key: 'name', header: 'Name', sortField: 'name', render: (o) => o.name },
                { key: 'tax_id', header: 'Tax id', render: (o) => o.tax_id || '—' },
                {
                  key: 'created',
                  header: 'Created',
                  sortField: 'created_at',
                  render: (o) => formatDate(o.created_at),
                },
                {
                  key: 'state',
                  header: 'State',
                  render: (o) => (
                    <Badge color={o.is_active ? 'teal.9' : 'gray.7'}>
                      {o.is_active ? 'Active' : 'Inactive'}
                    </Badge>
                  ),
                },
                {
                  key: 'actions',
                  header: 'Actions',
                  hideHeader: true,
                  wrap: true,
                  render: (o) => (
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" variant="light" onClick={() => setEditing(o)}>
                        Edit
                      </Button>
                      {canManageKeys && (
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => setKeysOf(o)}
                          aria-label={`Integration keys of ${o.name}`}
                        >
                          Integration keys
                        </Button>
                      )}
                    </Group>
                  ),
                },
              ]}
            />
            <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
          </>
        )}
      </Async>
      {editing && <OrganizationModal org={editing} onClose={() => setEditing(null)} />}
      <IntegrationKeysModal org={keysOf} onClose={() => setKeysOf(null)} />
    </Stack>
  );
}
