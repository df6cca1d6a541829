import { Alert, Button, PasswordInput, Stack, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiErrorAlert } from '@/components/api-error';
import { useChangePassword } from '../api/change-password';

export function PasswordForm() {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const mismatch = confirm !== '' && confirm !== next;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          setConfirm('');
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-labelledby="password-title">
      <Stack maw={420}>
        <Title order={2} size="h4" id="password-title">
          Change password
        </Title>
        <PasswordInput
          label="Current password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.currentTarget.value)}
          required
        />
        <PasswordInput
          label="New password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.currentTarget.value)}
          required
        />
        <PasswordInput
          label="Repeat the new password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.currentTarget.value)}
          error={mismatch ? 'The two passwords differ.' : undefined}
          required
        />
        <ApiErrorAlert error={change.error} title="The password was not changed" />
        {change.isSuccess && (
          <Alert color="teal" role="status">
            Password changed. Your other sessions were signed out.
          </Alert>
        )}
        <Button type="submit" loading={change.isPending} disabled={mismatch} w="fit-content">
          Change password
        </Button>
      </Stack>
    </form>
  );
}
