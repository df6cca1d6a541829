import {
  ActionIcon,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { GroupMappingInput, IdentityProvider, Organization } from '@/api/types';
import { ApiErrorAlert } from '@/components/api-error';
import { PageHeader } from '@/components/page-header';
import { Async, EmptyState } from '@/components/states';
import { useOrganizations } from '../api/organizations';
import {
  useDeleteIdentityProvider,
  useIdentityProviders,
  useSaveIdentityProvider,
  useSetSignInPolicy,
  useSignInPolicy,
} from '../api/identity-providers';

const roles = [
  { value: 'viewer', label: 'Viewer' },
  { value: 'member', label: 'Member' },
  { value: 'org_admin', label: 'Organization admin' },
  { value: 'admin', label: 'Platform admin' },
];

const words = (s: string) => s.split(/[\s,]+/).filter(Boolean);

function MappingRows({
  rows,
  onChange,
  orgs,
}: {
  rows: GroupMappingInput[];
  onChange: (rows: GroupMappingInput[]) => void;
  orgs: Organization[];
}) {
  const set = (i: number, patch: Partial<GroupMappingInput>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        Groups → organization and role (the first match wins)
      </Text>
      {rows.map((r, i) => (
        <Group key={i} gap="xs" wrap="nowrap" align="end">
          <TextInput
            label="Group"
            value={r.group}
            onChange={(e) => set(i, { group: e.currentTarget.value })}
            required
          />
          <Select
            label="Organization"
            data={orgs.map((o) => ({ value: o.id, label: o.name }))}
            value={r.organization_id || null}
            onChange={(v) => set(i, { organization_id: v ?? '' })}
            disabled={r.role === 'admin'}
            placeholder={r.role === 'admin' ? 'All' : 'Choose'}
          />
          <Select
            label="Role"
            data={roles}
            value={r.role}
            onChange={(v) =>
              set(i, {
                role: (v ?? 'viewer') as GroupMappingInput['role'],
                ...(v === 'admin' ? { organization_id: '' } : {}),
              })
            }
            allowDeselect={false}
          />
          <ActionIcon
            variant="default"
            size="lg"
            aria-label={`Remove the mapping of ${r.group || 'this group'}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      <Button
        variant="default"
        size="xs"
        onClick={() => onChange([...rows, { group: '', organization_id: '', role: 'member' }])}
      >
        Add a mapping
      </Button>
    </Stack>
  );
}

function ProviderModal({
  provider,
  onClose,
}: {
  provider: IdentityProvider | 'new';
  onClose: () => void;
}) {
  const existing = provider === 'new' ? null : provider;
  const save = useSaveIdentityProvider();
  const orgs = useOrganizations({ page: 1 });
  const [slug, setSlug] = useState(existing?.slug ?? '');
  const [name, setName] = useState(existing?.name ?? '');
  const [issuer, setIssuer] = useState(existing?.issuer_url ?? '');
  const [clientId, setClientId] = useState(existing?.client_id ?? '');
  const [secret, setSecret] = useState('');
  const [scopes, setScopes] = useState((existing?.scopes ?? ['email', 'profile']).join(' '));
  const [groupsClaim, setGroupsClaim] = useState(existing?.groups_claim ?? 'groups');
  const [amr, setAmr] = useState((existing?.mfa_amr_values ?? ['mfa']).join(' '));
  const [enabled, setEnabled] = useState(existing?.enabled ?? true);
  const [linking, setLinking] = useState(existing?.allow_email_linking ?? false);
  const [provision, setProvision] = useState(existing?.auto_provision ?? false);
  const [mappings, setMappings] = useState<GroupMappingInput[]>(
    (existing?.group_mappings ?? []).map((m) => ({
      group: m.group,
      organization_id: m.organization_id ?? '',
      role: m.role,
    })),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      {
        id: existing?.id,
        body: {
          slug,
          name,
          issuer_url: issuer,
          client_id: clientId,
          ...(secret ? { client_secret: secret } : {}),
          scopes: words(scopes),
          groups_claim: groupsClaim,
          mfa_amr_values: words(amr),
          enabled,
          allow_email_linking: linking,
          auto_provision: provision,
          group_mappings: mappings,
        },
      },
      { onSuccess: onClose },
    );
  };
  return (
    <Modal
      opened
      onClose={onClose}
      size="xl"
      title={existing ? `Edit ${existing.name}` : 'New identity provider'}
    >
      <form onSubmit={submit}>
        <Stack>
          <Group grow>
            <TextInput
              label="Name on the button"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              data-autofocus
            />
            <TextInput
              label="Slug"
              description="In the sign-in address"
              value={slug}
              onChange={(e) => setSlug(e.currentTarget.value)}
              required
            />
          </Group>
          <TextInput
            label="Issuer URL"
            description="Its discovery document is at /.well-known/openid-configuration"
            value={issuer}
            onChange={(e) => setIssuer(e.currentTarget.value)}
            required
          />
          <Group grow>
            <TextInput
              label="Client id"
              value={clientId}
              onChange={(e) => setClientId(e.currentTarget.value)}
              required
            />
            <PasswordInput
              label="Client secret"
              description={
                existing?.client_secret_set ? 'Stored; leave empty to keep it' : 'Stored encrypted'
              }
              value={secret}
              onChange={(e) => setSecret(e.currentTarget.value)}
              autoComplete="new-password"
            />
          </Group>
          <Group grow>
            <TextInput
              label="Scopes"
              description="Besides openid"
              value={scopes}
              onChange={(e) => setScopes(e.currentTarget.value)}
            />
            <TextInput
              label="Groups claim"
              value={groupsClaim}
              onChange={(e) => setGroupsClaim(e.currentTarget.value)}
              required
            />
            <TextInput
              label="amr values that mean MFA"
              description="2FA is then not asked again; empty: always asked"
              value={amr}
              onChange={(e) => setAmr(e.currentTarget.value)}
            />
          </Group>
          <Group>
            <Switch
              label="Enabled"
              checked={enabled}
              onChange={(e) => setEnabled(e.currentTarget.checked)}
            />
            <Switch
              label="Create users at their first sign-in"
              checked={provision}
              onChange={(e) => setProvision(e.currentTarget.checked)}
            />
            <Switch
              label="Link to existing users by verified e-mail"
              checked={linking}
              onChange={(e) => setLinking(e.currentTarget.checked)}
            />
          </Group>
          <MappingRows rows={mappings} onChange={setMappings} orgs={orgs.data?.data ?? []} />
          <ApiErrorAlert error={save.error} title="Not saved" />
          <Button type="submit" loading={save.isPending}>
            Save
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function PasswordPolicyRow({ org }: { org: Organization }) {
  const policy = useSignInPolicy(org.id);
  const set = useSetSignInPolicy();
  return (
    <Table.Tr>
      <Table.Td>{org.name}</Table.Td>
      <Table.Td>
        <Switch
          aria-label={`Passwords allowed in ${org.name}`}
          label={policy.data?.password_sign_in_disabled ? 'Single sign-on only' : 'Allowed'}
          checked={policy.data ? !policy.data.password_sign_in_disabled : true}
          disabled={!policy.data || set.isPending}
          onChange={(e) =>
            set.mutate({
              orgId: org.id,
              policy: { password_sign_in_disabled: !e.currentTarget.checked },
            })
          }
        />
        <ApiErrorAlert error={set.error} title="Not saved" />
      </Table.Td>
    </Table.Tr>
  );
}

export function IdentityProvidersPage() {
  const providers = useIdentityProviders();
  const orgs = useOrganizations({ page: 1 });
  const del = useDeleteIdentityProvider();
  const [editing, setEditing] = useState<IdentityProvider | 'new' | null>(null);
  const callback = `${window.location.origin}/api/v1/auth/sso/callback`;
  return (
    <Stack>
      <PageHeader
        title="Single sign-on"
        description="OpenID Connect providers that users sign in through."
        actions={<Button onClick={() => setEditing('new')}>New identity provider</Button>}
      />
      <Text size="sm">
        Register <Code>{callback}</Code> as the redirect URI at each provider, and{' '}
        <Code>{`${window.location.origin}/sign-in`}</Code> as the post-logout redirect URI.
      </Text>
      <Async
        query={providers}
        isEmpty={(d) => !d.data.length}
        empty={<EmptyState title="No identity providers yet" />}
      >
        {(d) => (
          <Table.ScrollContainer minWidth={640}>
            <Table striped verticalSpacing="xs" aria-label="Identity providers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Issuer</Table.Th>
                  <Table.Th>Mappings</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.data.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>{p.name}</Table.Td>
                    <Table.Td>{p.issuer_url}</Table.Td>
                    <Table.Td>{p.group_mappings?.length ?? 0}</Table.Td>
                    <Table.Td>
                      <Badge color={p.enabled ? 'teal.8' : 'gray.7'}>
                        {p.enabled ? 'Enabled' : 'Disabled'}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button size="xs" variant="light" onClick={() => setEditing(p)}>
                          Edit
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          color="red"
                          loading={del.isPending}
                          onClick={() => {
                            if (window.confirm(`Remove ${p.name}? Its users stay.`))
                              del.mutate(p.id);
                          }}
                        >
                          Remove
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Async>
      <ApiErrorAlert error={del.error} title="Not removed" />
      <Title order={2} size="h4">
        Password sign-in per organization
      </Title>
      <Text size="sm" c="dimmed">
        An organization that signs in through single sign-on only refuses its users&apos; passwords.
        Platform admins can always use their password.
      </Text>
      <Table aria-label="Password sign-in per organization">
        <Table.Tbody>
          {(orgs.data?.data ?? []).map((o) => (
            <PasswordPolicyRow key={o.id} org={o} />
          ))}
        </Table.Tbody>
      </Table>
      {editing && <ProviderModal provider={editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
