import { Anchor, Alert, Button, Drawer, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { AcceptedBadge, SeverityBadge, SlaBadge } from '@/components/badges';
import { ApiErrorAlert } from '@/components/api-error';
import { Async } from '@/components/states';
import { formatDate, formatDateTime } from '@/lib/format';
import { useAcceptance, useRevokeAcceptance, type Acceptance } from '../api/acceptance';
import type { Exposure } from '../api/get-exposures';
import { AcceptRiskForm } from './accept-risk-form';
import { advisoryURL, projectURL } from './links';

export const describeExposure = (e: Exposure) =>
  `${e.project} ${e.installed_version ?? ''} on ${e.site_name || e.site_id}`.replace(/\s+/g, ' ');

/** Asks before ending an acceptance early; the SLA clock runs again. */
export function RevokeAcceptanceDialog({
  exposure,
  onClose,
  onRevoked,
}: {
  exposure: Exposure | null;
  onClose: () => void;
  onRevoked: (id: string) => void;
}) {
  const revoke = useRevokeAcceptance();
  return (
    <Modal opened={exposure !== null} onClose={onClose} title="Revoke this acceptance?">
      {exposure && (
        <Stack>
          <Text size="sm">
            The SLA clock of <strong>{describeExposure(exposure)}</strong> runs again from now, and
            the update shows as outstanding.
          </Text>
          <ApiErrorAlert error={revoke.error} title="The acceptance was not revoked" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Keep it
            </Button>
            <Button
              color="red"
              loading={revoke.isPending}
              onClick={() =>
                revoke.mutate(
                  { id: exposure.id },
                  {
                    onSuccess: () => {
                      onRevoked(exposure.id);
                      onClose();
                    },
                  },
                )
              }
            >
              Revoke acceptance
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function AcceptanceSection({
  exposure,
  canAccept,
  onAccepted,
  onRevoked,
}: {
  exposure: Exposure;
  canAccept: boolean;
  onAccepted: (a: Acceptance) => void;
  onRevoked: (id: string) => void;
}) {
  const acceptance = useAcceptance(exposure.id);
  const [revoking, setRevoking] = useState(false);
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Risk acceptance
      </Title>
      <Async query={acceptance}>
        {(a) =>
          a ? (
            <Stack gap="xs">
              <Alert color="indigo" variant="light" title={<AcceptedBadge until={a.expires_at} />}>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {a.justification}
                </Text>
                <Text size="xs" c="dimmed" mt={4}>
                  Accepted {formatDateTime(a.accepted_at)}
                  {a.accepted_by_name || a.accepted_by
                    ? ` by ${a.accepted_by_name ?? 'a deleted user'}`
                    : ''}
                  ; expires {formatDateTime(a.expires_at)}.
                </Text>
              </Alert>
              {canAccept && (
                <Group>
                  <Button color="red" variant="light" size="xs" onClick={() => setRevoking(true)}>
                    Revoke acceptance
                  </Button>
                </Group>
              )}
              <RevokeAcceptanceDialog
                exposure={revoking ? exposure : null}
                onClose={() => setRevoking(false)}
                onRevoked={onRevoked}
              />
            </Stack>
          ) : exposure.state === 'resolved' ? (
            <Text size="sm" c="dimmed">
              Resolved: there is no risk left to accept.
            </Text>
          ) : canAccept ? (
            <AcceptRiskForm
              exposureId={exposure.id}
              what={describeExposure(exposure)}
              onDone={onAccepted}
            />
          ) : (
            <Text size="sm" c="dimmed">
              Not accepted. Organization admins may accept a risk for a while with a justification.
            </Text>
          )
        }
      </Async>
    </Stack>
  );
}

/** One exposure in full, with its risk acceptance. */
export function ExposureDrawer({
  exposure,
  canAccept,
  onClose,
  onAccepted,
  onRevoked,
}: {
  exposure: Exposure | null;
  canAccept: boolean;
  onClose: () => void;
  onAccepted: (id: string, a: Acceptance) => void;
  onRevoked: (id: string) => void;
}) {
  return (
    <Drawer
      opened={exposure !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={exposure ? `${exposure.project} on ${exposure.site_name || 'a site'}` : ''}
    >
      {exposure && (
        <Stack>
          <Group gap="xs">
            <SeverityBadge severity={exposure.severity} />
            <SlaBadge
              state={exposure.state === 'resolved' ? exposure.sla_outcome : exposure.sla_status}
            />
          </Group>
          <Text size="sm">
            Site:{' '}
            <Anchor component={Link} to={`/sites/${exposure.site_id}`}>
              {exposure.site_name || exposure.site_id}
            </Anchor>
            {' · '}Project:{' '}
            <Anchor href={projectURL(exposure.project)} target="_blank" rel="noreferrer">
              {exposure.project} on drupal.org
            </Anchor>
          </Text>
          <Text size="sm">
            Installed <code>{exposure.installed_version}</code>
            {exposure.fixed_by?.length ? (
              <>
                , fixed in <code>{exposure.fixed_by.join(', ')}</code>
              </>
            ) : (
              ', no fix: the project is unsupported'
            )}
          </Text>
          {exposure.advisories?.length ? (
            <Text size="sm">
              Advisories:{' '}
              {exposure.advisories.map((a) => (
                <Anchor key={a} href={advisoryURL(a)} target="_blank" rel="noreferrer" mr="xs">
                  {a}
                </Anchor>
              ))}
            </Text>
          ) : null}
          <Text size="sm">
            Detected {formatDateTime(exposure.detected_at)} · due {formatDate(exposure.due_at)}
            {exposure.resolved_at ? ` · resolved ${formatDateTime(exposure.resolved_at)}` : ''}
          </Text>
          <AcceptanceSection
            key={exposure.id}
            exposure={exposure}
            canAccept={canAccept}
            onAccepted={(a) => onAccepted(exposure.id, a)}
            onRevoked={onRevoked}
          />
        </Stack>
      )}
    </Drawer>
  );
}
