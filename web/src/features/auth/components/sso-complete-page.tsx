import { Anchor, Center, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiErrorAlert } from '@/components/api-error';
import { useCompleteSso } from '../api/sso';
import { SignInForm } from './sign-in-form';

/**
 * Where the server sends the browser after a sign-in at an identity
 * provider: the token in the address's fragment (never sent to a server)
 * is traded once for the session, and removed from the address at once.
 */
export function SsoCompletePage() {
  const complete = useCompleteSso();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
    window.history.replaceState(null, '', window.location.pathname);
    complete.mutate(token, {
      onSuccess: (r) => {
        if (r.mfaToken) setMfaToken(r.mfaToken);
        else {
          qc.clear();
          navigate('/', { replace: true });
        }
      },
    });
  }, [complete, navigate, qc]);

  return (
    <Center mih="100vh" p="md" component="main">
      <Stack w="100%" maw={400}>
        <Title order={1} ta="center">
          Fleetwatch
        </Title>
        <Paper withBorder p="lg" radius="md">
          {mfaToken ? (
            <SignInForm
              mfaToken={mfaToken}
              onSignedIn={() => {
                qc.clear();
                navigate('/', { replace: true });
              }}
            />
          ) : complete.isError ? (
            <Stack>
              <ApiErrorAlert error={complete.error} title="Single sign-on failed" />
              <Anchor component={Link} to="/sign-in">
                Back to the sign-in page
              </Anchor>
            </Stack>
          ) : (
            <Stack align="center">
              <Loader />
              <Text>Signing you in…</Text>
            </Stack>
          )}
        </Paper>
      </Stack>
    </Center>
  );
}
