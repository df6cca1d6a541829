import {
  Alert,
  Button,
  Fieldset,
  Group,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { severityLabels } from '@/components/badges';
import { ApiErrorAlert } from '@/components/api-error';
import { Async } from '@/components/states';
import { ApiError } from '@/lib/api-client';
import {
  useNotificationPreferences,
  useNotificationChannels,
  usePutNotificationPreferences,
  useSendTestNotification,
  type MinSeverity,
  type NotificationChannel,
  type NotificationPreferences,
  type WebhookChannel,
} from '../api/notification-preferences';

const severityData = Object.entries(severityLabels).map(([value, label]) => ({
  value,
  label: `${label} and above`,
}));

/** A webhook needs an http(s) URL when it is on; the error in words, or null. */
export function webhookUrlError(w: WebhookChannel): string | null {
  if (!w.enabled) return null;
  if (!w.url?.trim()) return 'Enter the URL to post notifications to.';
  try {
    const u = new URL(w.url.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:')
      return 'The URL must start with https:// (or http://).';
  } catch {
    return 'Enter a full URL such as https://hooks.example.com/fleetwatch.';
  }
  return null;
}

function ChannelFields<T extends NotificationChannel>({
  name,
  value,
  onChange,
  errors,
  prefix,
}: {
  name: string;
  value: T;
  onChange: (v: T) => void;
  errors: Record<string, string>;
  prefix: string;
}) {
  const set = (patch: Partial<T>) => onChange({ ...value, ...patch });
  return (
    <>
      <Switch
        label={`Send ${name} notifications`}
        checked={!!value.enabled}
        onChange={(e) => set({ enabled: e.currentTarget.checked } as Partial<T>)}
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Select
          label={`${name}: new security updates`}
          data={severityData}
          value={value.min_severity ?? 'critical'}
          onChange={(v) => set({ min_severity: (v as MinSeverity) ?? 'critical' } as Partial<T>)}
          allowDeselect={false}
          disabled={!value.enabled}
          error={errors[`${prefix}.min_severity`]}
        />
        <Switch
          mt={{ sm: 30 }}
          label={`${name}: SLA breaches`}
          checked={!!value.sla_breach}
          onChange={(e) => set({ sla_breach: e.currentTarget.checked } as Partial<T>)}
          disabled={!value.enabled}
        />
        <Switch
          mt={{ sm: 30 }}
          label={`${name}: daily digest`}
          checked={!!value.daily_digest}
          onChange={(e) => set({ daily_digest: e.currentTarget.checked } as Partial<T>)}
          disabled={!value.enabled}
        />
      </SimpleGrid>
    </>
  );
}

/** A "Send a test" button for one channel, with where the test went or why it did not. */
function TestButton({ channel, disabled }: { channel: 'email' | 'webhook'; disabled?: boolean }) {
  const test = useSendTestNotification();
  return (
    <Stack gap="xs">
      <Group>
        <Button
          variant="default"
          size="xs"
          onClick={() => test.mutate(channel)}
          loading={test.isPending}
          disabled={disabled}
        >
          Send a test {channel === 'email' ? 'e-mail' : 'to the webhook'}
        </Button>
        {test.isSuccess && (
          <Text size="sm" c="teal.9" role="status">
            Sent to {test.data.target}.
          </Text>
        )}
      </Group>
      <ApiErrorAlert error={test.error} title="The test was not sent" />
    </Stack>
  );
}

function Editor({ initial }: { initial: NotificationPreferences }) {
  const channels = useNotificationChannels();
  const [email, setEmail] = useState<NotificationChannel>({
    min_severity: 'critical',
    ...initial.email,
  });
  const [webhook, setWebhook] = useState<WebhookChannel>({
    min_severity: 'critical',
    ...initial.webhook,
  });
  const [urlError, setUrlError] = useState<string | null>(null);
  const save = usePutNotificationPreferences();
  const server = save.error instanceof ApiError ? save.error.fieldErrors : {};

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const err = webhookUrlError(webhook);
    setUrlError(err);
    if (err) return;
    save.mutate({
      email: {
        enabled: !!email.enabled,
        min_severity: email.min_severity,
        sla_breach: !!email.sla_breach,
        daily_digest: !!email.daily_digest,
      },
      webhook: {
        enabled: !!webhook.enabled,
        url: webhook.url?.trim() ?? '',
        secret: webhook.secret ?? '',
        min_severity: webhook.min_severity,
        sla_breach: !!webhook.sla_breach,
        daily_digest: !!webhook.daily_digest,
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Notification preferences">
      <Stack>
        <Fieldset legend="E-mail">
          <Stack>
            {channels.data && !channels.data.email && (
              <Alert
                color="orange"
                title="This server sends no e-mail"
                styles={{ title: { color: 'var(--mantine-color-text)' } }}
              >
                No mail server is configured on this Fleetwatch server, so e-mail notifications are
                saved but not sent. Its administrator sets one with --smtp-url
                (FLEETWATCH_SMTP_URL); meanwhile a webhook reaches you.
              </Alert>
            )}
            <ChannelFields
              name="E-mail"
              value={email}
              onChange={setEmail}
              errors={server}
              prefix="email"
            />
            <TestButton channel="email" disabled={channels.data && !channels.data.email} />
          </Stack>
        </Fieldset>
        <Fieldset legend="Webhook">
          <Stack>
            <ChannelFields
              name="Webhook"
              value={webhook}
              onChange={setWebhook}
              errors={server}
              prefix="webhook"
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="Webhook URL"
                placeholder="https://hooks.example.com/fleetwatch"
                value={webhook.url ?? ''}
                onChange={(e) => setWebhook({ ...webhook, url: e.currentTarget.value })}
                error={urlError ?? server['webhook.url']}
                disabled={!webhook.enabled}
              />
              <PasswordInput
                label="Signing secret"
                description="Each delivery is signed: X-Fleetwatch-Signature: sha256=…"
                value={webhook.secret ?? ''}
                onChange={(e) => setWebhook({ ...webhook, secret: e.currentTarget.value })}
                error={server['webhook.secret']}
                disabled={!webhook.enabled}
              />
            </SimpleGrid>
            <TestButton channel="webhook" disabled={!initial.webhook?.url} />
          </Stack>
        </Fieldset>
        <ApiErrorAlert error={save.error} title="Your preferences were not saved" />
        {save.isSuccess && (
          <Alert color="teal" role="status">
            Notification preferences saved.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save notification preferences
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function NotificationPreferencesForm() {
  const prefs = useNotificationPreferences();
  return (
    <Stack>
      <Title order={2} size="h4">
        Notifications
      </Title>
      <Async query={prefs} what="Notification preferences">
        {(p) => <Editor initial={p} />}
      </Async>
    </Stack>
  );
}
