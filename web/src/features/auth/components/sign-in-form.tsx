import { Anchor, Button, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiErrorAlert } from '@/components/api-error';
import { useCompleteMfa } from '../api/complete-mfa';
import { useLogin } from '../api/login';

/**
 * E-mail and password, then — for an account with 2FA — a TOTP or backup
 * code. Given an MFA token (a single sign-on that still needs 2FA), it
 * starts at the code.
 */
export function SignInForm({
  onSignedIn,
  mfaToken: initialMfaToken,
}: {
  onSignedIn: () => void;
  mfaToken?: string;
}) {
  const login = useLogin();
  const mfa = useCompleteMfa();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(initialMfaToken ?? null);
  const [code, setCode] = useState('');
  const [backup, setBackup] = useState(false);

  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(
      { email: email.trim(), password },
      {
        onSuccess: (r) => {
          if (r.mfaToken) setMfaToken(r.mfaToken);
          else onSignedIn();
        },
      },
    );
  };

  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    if (!mfaToken) return;
    mfa.mutate({ mfa_token: mfaToken, code: code.replace(/\s+/g, '') }, { onSuccess: onSignedIn });
  };

  if (mfaToken) {
    return (
      <form onSubmit={submitCode} aria-labelledby="mfa-title">
        <Stack>
          <Title order={2} size="h3" id="mfa-title">
            Two-factor authentication
          </Title>
          <Text size="sm" c="dimmed">
            {backup
              ? 'Enter one of your unused backup codes. Each code works once.'
              : 'Enter the 6-digit code from your authenticator app.'}
          </Text>
          <TextInput
            label={backup ? 'Backup code' : 'Authentication code'}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            autoComplete="one-time-code"
            inputMode={backup ? 'text' : 'numeric'}
            required
            autoFocus
            data-autofocus
          />
          <ApiErrorAlert error={mfa.error} title="Sign-in failed" />
          <Button type="submit" loading={mfa.isPending}>
            Verify
          </Button>
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setBackup((b) => !b);
              setCode('');
            }}
          >
            {backup ? 'Use your authenticator app instead' : 'Use a backup code instead'}
          </Anchor>
          <Anchor
            component="button"
            type="button"
            size="sm"
            c="dimmed"
            onClick={() => {
              setMfaToken(null);
              setCode('');
              mfa.reset();
            }}
          >
            Start over
          </Anchor>
        </Stack>
      </form>
    );
  }

  return (
    <form onSubmit={submitPassword} aria-labelledby="signin-title">
      <Stack>
        <Title order={2} size="h3" id="signin-title">
          Sign in
        </Title>
        <TextInput
          label="E-mail"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          autoComplete="username"
          required
          autoFocus
        />
        <PasswordInput
          label="Password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          autoComplete="current-password"
          required
        />
        <ApiErrorAlert error={login.error} title="Sign-in failed" />
        <Button type="submit" loading={login.isPending}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
