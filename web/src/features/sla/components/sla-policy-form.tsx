import { Alert, Button, Group, NumberInput, Select, SimpleGrid, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { severityLabels } from '@/components/badges';
import { ApiErrorAlert } from '@/components/api-error';
import { Async } from '@/components/states';
import {
  usePutSlaPolicy,
  useSlaPolicy,
  type SlaDeadlines,
  type SlaPolicy,
} from '../api/sla-policy';

function PolicyEditor({
  orgId,
  policy,
  canEdit,
}: {
  orgId: string;
  policy: SlaPolicy;
  canEdit: boolean;
}) {
  const [deadlines, setDeadlines] = useState<SlaDeadlines>(policy.deadlines);
  const [clock, setClock] = useState(policy.clock_start ?? 'published');
  const save = usePutSlaPolicy();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ orgId, policy: { deadlines, clock_start: clock } });
      }}
    >
      <Stack>
        <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }}>
          {(Object.keys(severityLabels) as (keyof SlaDeadlines)[]).map((k) => (
            <NumberInput
              key={k}
              label={`${severityLabels[k]} (days)`}
              min={1}
              max={3650}
              value={deadlines[k]}
              onChange={(v) => setDeadlines((d) => ({ ...d, [k]: Number(v) || 1 }))}
              disabled={!canEdit}
            />
          ))}
          <Select
            label="Clock starts at"
            data={[
              { value: 'published', label: 'Release publication' },
              { value: 'detected', label: 'First detection' },
            ]}
            value={clock}
            onChange={(v) => setClock((v as 'published' | 'detected') ?? 'published')}
            disabled={!canEdit}
          />
        </SimpleGrid>
        <ApiErrorAlert error={save.error} title="The policy was not saved" />
        {save.isSuccess && (
          <Alert color="teal" role="status">
            Policy saved (version {save.data?.version ?? '?'}). New deadlines apply to exposures
            opened from now on.
          </Alert>
        )}
        {canEdit && (
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save policy
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

export function SlaPolicyForm({ orgId, canEdit }: { orgId: string; canEdit: boolean }) {
  const policy = useSlaPolicy(orgId);
  return (
    <Stack>
      <Title order={2} size="h4">
        Patching deadlines
      </Title>
      <Async query={policy} what="SLA policy editing">
        {(p) => (
          <PolicyEditor key={`${orgId}-${p.version}`} orgId={orgId} policy={p} canEdit={canEdit} />
        )}
      </Async>
    </Stack>
  );
}
