import {
  Badge,
  Button,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Switch,
  TextInput,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Role, UserBody } from '@/api/types';
import { ApiErrorAlert } from '@/components/api-error';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { DataTable } from '@/components/data-table';
import { Async, EmptyState } from '@/components/states';
import { roleLabels, roles, useMe } from '@/lib/auth';
import { formatRelative } from '@/lib/format';
import { oneOf, useListParams } from '@/lib/url-state';
import { useOrganizations } from '../api/organizations';
import { useCreateUser, useUpdateUser, useUsers } from '../api/users';

const roleOptions = (isAdmin: boolean) =>
  (Object.keys(roleLabels) as Role[])
    .filter((r) => isAdmin || r !== 'admin')
    .map((r) => ({ value: r, label: roleLabels[r] }));

function NewUserModal({
  opened,
  onClose,
  isAdmin,
}: {
  opened: boolean;
  onClose: () => void;
  isAdmin: boolean;
}) {
  const create = useCreateUser();
  const orgs = useOrganizations({});
  const [body, setBody] = useState<UserBody>({ name: '', email: '', password: '', role: 'member' });
  const set = (k: keyof UserBody, v: string | undefined) => setBody((b) => ({ ...b, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(body, { onSuccess: onClose });
  };
  return (
    <Modal opened={opened} onClose={onClose} title="New user">
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label="Name"
            value={body.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            required
            data-autofocus
          />
          <TextInput
            label="E-mail"
            type="email"
            value={body.email}
            onChange={(e) => set('email', e.currentTarget.value)}
            required
          />
          <PasswordInput
            label="Initial password"
            value={body.password}
            onChange={(e) => set('password', e.currentTarget.value)}
            required
            autoComplete="new-password"
          />
          <Select
            label="Role"
            data={roleOptions(isAdmin)}
            value={body.role}
            onChange={(v) => set('role', v ?? 'member')}
            allowDeselect={false}
          />
          {isAdmin && body.role !== 'admin' && (
            <Select
              label="Organization"
              data={(orgs.data?.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
              value={body.organization_id ?? null}
              onChange={(v) => set('organization_id', v ?? undefined)}
              searchable
              required
            />
          )}
          <ApiErrorAlert error={create.error} title="The user was not created" />
          <Button type="submit" loading={create.isPending}>
            Create user
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

export function UsersPage() {
  const list = useListParams({ sort: 'name' });
  const me = useMe();
  const isAdmin = me.data?.role === 'admin';
  const users = useUsers({
    page: list.page,
    sort: list.sort,
    q: list.q || undefined,
    role: oneOf(list.get('role'), roles),
  });
  const update = useUpdateUser();
  const [creating, setCreating] = useState(false);
  return (
    <Stack>
      <PageHeader
        title="Users"
        description="Who can sign in, and what each may do."
        actions={<Button onClick={() => setCreating(true)}>New user</Button>}
      />
      <Select
        label="Role"
        clearable
        data={roleOptions(true)}
        value={list.get('role') || null}
        onChange={(v) => list.update({ role: v ?? '' })}
        w={220}
      />
      <ApiErrorAlert error={update.error} title="The change was not saved" />
      <Async
        query={users}
        isEmpty={(d) => !d.data.length}
        empty={<EmptyState title="No users match" />}
      >
        {(d) => (
          <>
            <DataTable
              label="Users"
              rows={d.data}
              rowKey={(u) => u.id}
              sort={list.sort}
              onSort={list.toggleSort}
              minWidth={760}
              columns={[
                { key: 'name', header: 'Name', sortField: 'name', render: (u) => u.name },
                { key: 'email', header: 'E-mail', sortField: 'email', render: (u) => u.email },
                {
                  key: 'role',
                  header: 'Role',
                  sortField: 'role',
                  wrap: true,
                  render: (u) => (
                    <Select
                      aria-label={`Role of ${u.email}`}
                      size="xs"
                      w={180}
                      data={roleOptions(isAdmin || u.role === 'admin')}
                      value={u.role}
                      disabled={u.id === me.data?.id || (!isAdmin && u.role === 'admin')}
                      allowDeselect={false}
                      onChange={(v) =>
                        v && v !== u.role && update.mutate({ id: u.id, body: { role: v as Role } })
                      }
                    />
                  ),
                },
                {
                  key: '2fa',
                  header: '2FA',
                  render: (u) => (
                    <Badge color={u.totp_enabled ? 'teal.9' : 'gray.7'}>
                      {u.totp_enabled ? 'On' : 'Off'}
                    </Badge>
                  ),
                },
                {
                  key: 'last_login',
                  header: 'Last sign-in',
                  sortField: 'last_login',
                  render: (u) => formatRelative(u.last_login),
                },
                {
                  key: 'active',
                  header: 'Active',
                  wrap: true,
                  render: (u) => (
                    <Switch
                      aria-label={`${u.email} may sign in`}
                      checked={u.is_active}
                      disabled={u.id === me.data?.id}
                      onChange={(e) =>
                        update.mutate({ id: u.id, body: { is_active: e.currentTarget.checked } })
                      }
                    />
                  ),
                },
              ]}
            />
            <Pager meta={d.meta} onPage={(page) => list.update({ page })} />
          </>
        )}
      </Async>
      {creating && <NewUserModal opened onClose={() => setCreating(false)} isAdmin={isAdmin} />}
    </Stack>
  );
}
