import { Alert, Button, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { CreatedAPIKey } from '@/api/types';
import { CopyField } from '@/components/copy-field';

/**
 * Shows a new API key's secret — the only time it is ever shown — with a
 * copy button and a hint of where it goes.
 */
export function KeyCreatedDialog({
  created,
  onClose,
  title = 'API key created',
  label = 'New API key',
  hint = (
    <>
      On the Drupal host:{' '}
      <code>fleetwatch agent push --server URL --key KEY --drupal-root DIR</code>
    </>
  ),
}: {
  created: CreatedAPIKey | null;
  onClose: () => void;
  title?: string;
  label?: string;
  hint?: ReactNode;
}) {
  return (
    <Modal
      opened={created !== null}
      onClose={onClose}
      title={title}
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
            {created.scope && (
              <>
                , scope <strong>{created.scope}</strong>
              </>
            )}
          </Text>
          <CopyField value={created.key} label={label} />
          <Text size="sm" c="dimmed">
            {hint}
          </Text>
          <Button onClick={onClose}>I have saved the key</Button>
        </Stack>
      )}
    </Modal>
  );
}
