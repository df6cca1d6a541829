import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { APIKey, CreatedAPIKey } from '@/api/types';
import { ApiErrorAlert } from '@/components/api-error';
import { Async, EmptyState } from '@/components/states';
import { useCreateSiteApiKey } from '../api/create-site-api-key';
import { useSiteApiKeys } from '../api/get-site-api-keys';
import { useRevokeSiteApiKey } from '../api/revoke-site-api-key';
import { ApiKeysTable } from '@/components/api-keys-table';
import { KeyCreatedDialog } from '@/components/key-created-dialog';

export function ApiKeysPanel({ siteId, canManage }: { siteId: string; canManage: boolean }) {
  const keys = useSiteApiKeys(siteId);
  const create = useCreateSiteApiKey(siteId);
  const revoke = useRevokeSiteApiKey(siteId);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedAPIKey | null>(null);
  const [confirm, setConfirm] = useState<APIKey | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name.trim(), {
      onSuccess: (k) => {
        setCreated(k);
        setName('');
      },
    });
  };

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        A site key lets one site push its inventory and patch runs. Give each host its own key.
      </Text>
      {canManage && (
        <form onSubmit={submit}>
          <Group align="flex-end">
            <TextInput
              label="New key name"
              placeholder="web01"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
            />
            <Button type="submit" loading={create.isPending}>
              Create key
            </Button>
          </Group>
        </form>
      )}
      <ApiErrorAlert error={create.error} title="The key was not created" />
      <ApiErrorAlert error={revoke.error} title="The key was not revoked" />
      <Async
        query={keys}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState title="No API keys yet">
            Create one so the site can push its inventory.
          </EmptyState>
        }
      >
        {(d) => (
          <ApiKeysTable
            keys={d.data}
            label="API keys"
            onRevoke={canManage ? setConfirm : undefined}
          />
        )}
      </Async>
      <KeyCreatedDialog created={created} onClose={() => setCreated(null)} />
      <Modal opened={confirm !== null} onClose={() => setConfirm(null)} title="Revoke this key?">
        <Stack>
          <Text size="sm">
            The site stops being able to push with <strong>{confirm?.name}</strong> at once. This
            cannot be undone.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm(null)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={revoke.isPending}
              onClick={() =>
                confirm && revoke.mutate(confirm.id, { onSettled: () => setConfirm(null) })
              }
            >
              Revoke key
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
