import { Divider, Stack, Text } from '@mantine/core';
import { PageHeader } from '@/components/page-header';
import { roleLabels, useMe } from '@/lib/auth';
import type { Role } from '@/api/types';
import { PasswordForm } from './password-form';
import { NotificationDeliveriesTable } from './notification-deliveries-table';
import { NotificationPreferencesForm } from './notification-preferences-form';
import { TwoFactorPanel } from './two-factor-panel';

export function AccountPage() {
  const me = useMe();
  return (
    <Stack>
      <PageHeader
        title="Your account"
        description={
          me.data
            ? `${me.data.name || me.data.email} · ${roleLabels[me.data.role as Role] ?? me.data.role}`
            : undefined
        }
      />
      {me.data && (
        <Text size="sm" c="dimmed">
          Signed in as {me.data.email}
        </Text>
      )}
      <PasswordForm />
      <Divider />
      <TwoFactorPanel />
      <Divider />
      <NotificationPreferencesForm />
      <Divider />
      <NotificationDeliveriesTable />
    </Stack>
  );
}
