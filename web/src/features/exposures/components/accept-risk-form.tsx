import { Button, Group, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiErrorAlert } from '@/components/api-error';
import { ApiError } from '@/lib/api-client';
import { useAcceptExposure, type Acceptance } from '../api/acceptance';

const DAY = 86_400_000;
/** YYYY-MM-DD of the local day offset days from now. */
export const localDay = (offset: number, now = Date.now()) => {
  const d = new Date(now + offset * DAY);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};
/** The server accepts a risk for at most a year (366 days); the form offers 365. */
export const MAX_DAYS = 365;

/** Checks the form the way the server will, in words; {} when it may be sent. */
export function validateAcceptance(
  justification: string,
  expires: string,
  now = Date.now(),
): { justification?: string; expires?: string } {
  const errors: { justification?: string; expires?: string } = {};
  if (!justification.trim()) errors.justification = 'Say why the team accepts this risk for now.';
  else if (justification.trim().length > 2000)
    errors.justification = 'Keep the justification under 2000 characters.';
  if (!expires) errors.expires = 'Choose until when the risk is accepted.';
  else if (expires <= localDay(0, now)) errors.expires = 'The expiry must be after today.';
  else if (expires > localDay(MAX_DAYS, now))
    errors.expires = 'A risk is accepted for at most a year at a time.';
  return errors;
}

/** The expiry date as an RFC 3339 time: the start of that day, local time. */
export const expiryToRFC3339 = (day: string) => new Date(`${day}T00:00:00`).toISOString();

export function AcceptRiskForm({
  exposureId,
  what,
  onDone,
  onCancel,
}: {
  exposureId: string;
  /** e.g. "token 8.x-1.15 on Acme www" */
  what?: string;
  onDone: (acceptance: Acceptance) => void;
  onCancel?: () => void;
}) {
  const [justification, setJustification] = useState('');
  const [expires, setExpires] = useState(localDay(30));
  const [shown, setShown] = useState<{ justification?: string; expires?: string }>({});
  const accept = useAcceptExposure();
  const server = accept.error instanceof ApiError ? accept.error.fieldErrors : {};

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errors = validateAcceptance(justification, expires);
    setShown(errors);
    if (errors.justification || errors.expires) return;
    accept.mutate(
      {
        id: exposureId,
        body: { justification: justification.trim(), expires_at: expiryToRFC3339(expires) },
      },
      { onSuccess: (acceptance) => onDone(acceptance) },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Accept this risk">
      <Stack>
        {what && (
          <Text size="sm">
            Accepting the risk of <strong>{what}</strong> pauses its SLA clock until the expiry. A
            deadline already passed stays passed.
          </Text>
        )}
        <Textarea
          label="Justification"
          description="Why the team lives with this risk for now (a WAF rule, the module is disabled…)"
          required

          rows={3}
          value={justification}
          onChange={(e) => {
            setJustification(e.currentTarget.value);
            setShown((v) => ({ ...v, justification: undefined }));
          }}
          error={shown.justification ?? server.justification}
          data-autofocus
        />
        <TextInput
          type="date"
          label="Accepted until"
          description="At most a year from today"
          required
          min={localDay(1)}
          max={localDay(MAX_DAYS)}
          value={expires}
          onChange={(e) => {
            setExpires(e.currentTarget.value);
            setShown((v) => ({ ...v, expires: undefined }));
          }}
          error={shown.expires ?? server.expires_at}
        />
        <ApiErrorAlert error={accept.error} title="The risk was not accepted" />
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={accept.isPending}>
            Accept risk
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
