import { Alert, Button, Modal, Stack, Text } from '@mantine/core';
import type { CreatedAPIKey } from '@/api/types';
import { CopyField } from '@/components/copy-field';

/** Shows a new API key's secret — the only time it is ever shown. */
export function KeyCreatedDialog({
  created,
  onClose,
}: {
  created: CreatedAPIKey | null;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={created !== null}
      onClose={onClose}
      title="API key created"
      size="lg"
      closeOnClickOutside={false}
    >
      {created && (
        <Stack>
          <Alert color="yellow" title="Copy this key now" role="status">
            This is the only time the key is shown. Fleetwatch keeps only a hash of it; if you lose
            it, revoke it and create another.
          </Alert>
          <Text size="sm">
            Key <strong>{created.name}</strong> ({created.prefix}…)
          </Text>
          <CopyField value={created.key} label="New API key" />
          <Text size="sm" c="dimmed">
            On the Drupal host:{' '}
            <code>fleetwatch agent push --server URL --key KEY --drupal-root DIR</code>
          </Text>
          <Button onClick={onClose}>I have saved the key</Button>
        </Stack>
      )}
    </Modal>
  );
}
