import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { SignInForm } from './sign-in-form';
import { SsoButtons } from './sso-buttons';

export function SignInPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  return (
    <Center mih="100vh" p="md" component="main">
      <Stack w="100%" maw={400}>
        <Stack gap={0} align="center">
          <Title order={1}>Fleetwatch</Title>
          <Text c="dimmed">Drupal fleet updates and security</Text>
        </Stack>
        <Paper withBorder p="lg" radius="md">
          <SignInForm
            onSignedIn={() => {
              qc.clear();
              navigate(from, { replace: true });
            }}
          />
          <SsoButtons />
        </Paper>
      </Stack>
    </Center>
  );
}
