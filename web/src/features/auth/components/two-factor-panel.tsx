import {
  Alert,
  Badge,
  Button,
  Group,
  Image,
  List,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiErrorAlert } from '@/components/api-error';
import { CopyField } from '@/components/copy-field';
import { useMe } from '@/lib/auth';
import {
  useDisableTwoFactor,
  useEnableTwoFactor,
  useRegenerateBackupCodes,
  useSetupTwoFactor,
} from '../api/two-factor';

/** Backup codes, shown once, with a copy button. */
export function BackupCodesNotice({ codes }: { codes: string[] }) {
  return (
    <Alert color="yellow" title="Save your backup codes now" role="status">
      <Stack gap="xs">
        <Text size="sm">
          Each code signs you in once if you lose your authenticator. They are shown only this once.
        </Text>
        <SimpleGrid
          cols={{ base: 2, sm: 5 }}
          spacing={4}
          component="ul"
          style={{ listStyle: 'none', padding: 0 }}
        >
          {codes.map((c) => (
            <Text component="li" key={c} ff="monospace" size="sm">
              {c}
            </Text>
          ))}
        </SimpleGrid>
        <CopyField value={codes.join('\n')} label="All backup codes" />
      </Stack>
    </Alert>
  );
}

export function TwoFactorPanel() {
  const me = useMe();
  const setup = useSetupTwoFactor();
  const enable = useEnableTwoFactor();
  const disable = useDisableTwoFactor();
  const regenerate = useRegenerateBackupCodes();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const codes = enable.data ?? regenerate.data;
  const enabled = me.data?.totp_enabled;

  const submitEnable = (e: FormEvent) => {
    e.preventDefault();
    enable.mutate(code.trim(), { onSuccess: () => setCode('') });
  };

  return (
    <Stack maw={640}>
      <Group gap="xs">
        <Title order={2} size="h4">
          Two-factor authentication
        </Title>
        {me.data && <Badge color={enabled ? 'teal.8' : 'gray.7'}>{enabled ? 'On' : 'Off'}</Badge>}
      </Group>
      {codes && codes.length > 0 && <BackupCodesNotice codes={codes} />}

      {!enabled && !setup.data && (
        <Stack gap="xs" align="flex-start">
          <Text size="sm">
            Protect your account with a code from an authenticator app (1Password, Google
            Authenticator, …) at each sign-in.
          </Text>
          <Button onClick={() => setup.mutate()} loading={setup.isPending}>
            Set up two-factor authentication
          </Button>
          <ApiErrorAlert error={setup.error} />
        </Stack>
      )}

      {!enabled && setup.data && (
        <form onSubmit={submitEnable}>
          <Stack>
            <List type="ordered" size="sm" spacing={4}>
              <List.Item>
                Scan this QR code with your authenticator app, or enter the key by hand.
              </List.Item>
              <List.Item>Enter the 6-digit code it shows.</List.Item>
            </List>
            <Image
              src={`data:image/png;base64,${setup.data.qr_png}`}
              alt="QR code to add Fleetwatch to an authenticator app"
              w={200}
              h={200}
              fit="contain"
              bg="white"
            />
            <CopyField value={setup.data.secret} label="Secret key" />
            <TextInput
              label="Code from the app"
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              maw={200}
            />
            <ApiErrorAlert
              error={enable.error}
              title="Two-factor authentication was not turned on"
            />
            <Button type="submit" loading={enable.isPending} w="fit-content">
              Turn on
            </Button>
          </Stack>
        </form>
      )}

      {enabled && (
        <Stack>
          <Text size="sm">Sign-ins ask for a code from your authenticator app.</Text>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              regenerate.mutate(code.trim(), { onSuccess: () => setCode('') });
            }}
          >
            <Group align="flex-end">
              <TextInput
                label="Current code"
                value={code}
                onChange={(e) => setCode(e.currentTarget.value)}
                inputMode="numeric"
                autoComplete="one-time-code"
                maw={160}
                required
              />
              <Button type="submit" variant="light" loading={regenerate.isPending}>
                New backup codes
              </Button>
            </Group>
          </form>
          <ApiErrorAlert error={regenerate.error} />
          <form
            onSubmit={(e) => {
              e.preventDefault();
              disable.mutate({ password, code: code.trim() });
            }}
          >
            <Group align="flex-end">
              <PasswordInput
                label="Password (with the code above)"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                autoComplete="current-password"
                required
              />
              <Button type="submit" color="red" variant="light" loading={disable.isPending}>
                Turn off
              </Button>
            </Group>
          </form>
          <ApiErrorAlert error={disable.error} />
        </Stack>
      )}
    </Stack>
  );
}
