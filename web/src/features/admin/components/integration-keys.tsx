import { Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { APIKey, CreatedAPIKey, Organization } from '@/api/types';
import { ApiErrorAlert } from '@/components/api-error';
import { ApiKeysTable } from '@/components/api-keys-table';
import { KeyCreatedDialog } from '@/components/key-created-dialog';
import { Async, EmptyState } from '@/components/states';
import {
  useCreateOrganizationApiKey,
  useOrganizationApiKeys,
  useRevokeOrganizationApiKey,
} from '../api/organization-api-keys';

/** An organization's integration keys: create (shown once), list, revoke after confirming. */
export function IntegrationKeys({ org }: { org: Organization }) {
  const keys = useOrganizationApiKeys(org.id);
  const create = useCreateOrganizationApiKey(org.id);
  const revoke = useRevokeOrganizationApiKey(org.id);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'read' | 'write'>('read');
  const [nameError, setNameError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedAPIKey | null>(null);
  const [revoking, setRevoking] = useState<APIKey | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setNameError('Name the key after what uses it, e.g. "grafana".');
      return;
    }
    setNameError(null);
    create.mutate(
      { name: name.trim(), scope },
      {
        onSuccess: (k) => {
          setCreated(k);
          setName('');
        },
      },
    );
  };

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        Integration keys let other tools read (or, with write scope, change) {org.name}&apos;s data
        through the API. A read key acts as a viewer, a write key as a member.
      </Text>
      <form onSubmit={submit} noValidate aria-label="New integration key">
        <Group align="flex-start" wrap="wrap">
          <TextInput
            label="New integration key name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={nameError}
            required
            w={240}
          />
          <NativeSelect
            label="Scope"
            data={[
              { value: 'read', label: 'Read (viewer)' },
              { value: 'write', label: 'Write (member)' },
            ]}
            value={scope}
            onChange={(e) => setScope(e.currentTarget.value as 'read' | 'write')}
            w={170}
          />
          <Button type="submit" loading={create.isPending} mt={25}>
            Create key
          </Button>
        </Group>
      </form>
      <ApiErrorAlert error={create.error} title="The key was not created" />
      <Async
        query={keys}
        what="Integration keys"
        isEmpty={(d) => !d.data?.length}
        empty={<EmptyState title="No integration key yet" />}
      >
        {(d) => (
          <ApiKeysTable keys={d.data} label="Integration keys" showScope onRevoke={setRevoking} />
        )}
      </Async>
      <KeyCreatedDialog
        created={created}
        onClose={() => setCreated(null)}
        title="Integration key created"
        label="New integration key"
        hint={
          <>
            Send it as <code>X-API-Key: KEY</code> (or <code>Authorization: Bearer KEY</code>) to
            the API.
          </>
        }
      />
      <Modal
        opened={revoking !== null}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        title="Revoke this integration key?"
      >
        {revoking && (
          <Stack>
            <Text size="sm">
              Tools using <strong>{revoking.name}</strong> ({revoking.prefix}…) lose access at once.
              This cannot be undone.
            </Text>
            <ApiErrorAlert error={revoke.error} title="The key was not revoked" />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRevoking(null)}>
                Cancel
              </Button>
              <Button
                color="red"
                loading={revoke.isPending}
                onClick={() => revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
              >
                Revoke key
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

/** The integration keys of one organization, in a modal. */
export function IntegrationKeysModal({
  org,
  onClose,
}: {
  org: Organization | null;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={org !== null}
      onClose={onClose}
      title={org ? `Integration keys of ${org.name}` : ''}
      size="xl"
    >
      {org && <IntegrationKeys org={org} />}
    </Modal>
  );
}
