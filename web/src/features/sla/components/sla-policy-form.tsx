import {
  Alert,
  Button,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { severityLabels } from '@/components/badges';
import { ApiErrorAlert } from '@/components/api-error';
import { Async } from '@/components/states';
import { ApiError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import {
  usePutSlaPolicy,
  useSlaPolicy,
  type ClockStart,
  type SlaDeadlines,
  type SlaPolicy,
} from '../api/sla-policy';

const severities = Object.keys(severityLabels) as (keyof SlaDeadlines)[];

/** Each deadline a whole number of days from 1 to 3650, in words; {} when valid. */
export function validateDeadlines(d: Record<string, number | string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const k of severities) {
    const v = d[k];
    if (v === '' || v === undefined || !Number.isInteger(Number(v)))
      errors[k] = 'Enter a whole number of days.';
    else if (Number(v) < 1 || Number(v) > 3650) errors[k] = 'Between 1 and 3650 days.';
  }
  return errors;
}

function PolicyEditor({
  policy,
  canEdit,
  save,
}: {
  policy: SlaPolicy;
  canEdit: boolean;
  save: ReturnType<typeof usePutSlaPolicy>;
}) {
  const [deadlines, setDeadlines] = useState<Record<string, number | string>>({
    ...policy.deadlines,
  });
  const [clock, setClock] = useState<ClockStart>(policy.clock_start ?? 'published');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const server = save.error instanceof ApiError ? save.error.fieldErrors : {};
  return (
    <form
      aria-label="SLA policy"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const found = validateDeadlines(deadlines);
        setErrors(found);
        if (Object.keys(found).length) return;
        const body = Object.fromEntries(severities.map((k) => [k, Number(deadlines[k])]));
        save.mutate({
          orgId: policy.organization_id,
          body: { deadlines: body as unknown as SlaDeadlines, clock_start: clock },
        });
      }}
    >
      <Stack>
        <Text size="sm" c="dimmed">
          {policy.version
            ? `Version ${policy.version}, saved ${formatDateTime(policy.created_at)}.`
            : 'The default deadlines: this organization has not saved a policy yet.'}
        </Text>
        <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }}>
          {severities.map((k) => (
            <NumberInput
              key={k}
              label={`${severityLabels[k]} (days)`}
              min={1}
              max={3650}
              allowDecimal={false}
              value={deadlines[k]}
              onChange={(v) => setDeadlines((d) => ({ ...d, [k]: v }))}
              error={errors[k] ?? server[`deadlines.${k}`]}
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
            onChange={(v) => setClock((v as ClockStart) ?? 'published')}
            allowDeselect={false}
            disabled={!canEdit}
          />
        </SimpleGrid>
        <ApiErrorAlert error={save.error} title="The policy was not saved" />
        {save.isSuccess && (
          <Alert color="teal" role="status">
            Policy saved (version {save.data?.version}). New deadlines apply to exposures opened
            from now on.
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
  const save = usePutSlaPolicy();
  return (
    <Stack>
      <Title order={2} size="h4">
        Patching deadlines
      </Title>
      <Async query={policy} what="SLA policy editing">
        {(p) => (
          <PolicyEditor key={`${orgId}-${p.version}`} policy={p} canEdit={canEdit} save={save} />
        )}
      </Async>
    </Stack>
  );
}
