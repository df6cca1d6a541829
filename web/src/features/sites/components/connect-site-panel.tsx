import { Alert, Button, Card, Loader, Stack, Tabs, Text, Title } from '@mantine/core';
import { ApiErrorAlert } from '@/components/api-error';
import { CopyField } from '@/components/copy-field';
import { useCreateSiteApiKey } from '../api/create-site-api-key';

/** The commands that connect a Drupal site to this server with a site key. */
export function connectCommands(server: string, key: string) {
  const push = `fleetwatch agent push --server ${server} --key ${key} --drupal-root /var/www/html`;
  return {
    agent: push,
    cron: `*/30 * * * * ${push} >/dev/null 2>&1`,
    drupal: [
      'composer config repositories.fleetwatch path packages/fleetwatch_connector',
      'composer require fleetwatch/fleetwatch_connector:@dev',
      'drush en fleetwatch_connector',
      `drush state:set fleetwatch_connector.key ${key}`,
      `drush config:set fleetwatch_connector.settings server_url ${server} -y`,
      'drush fleetwatch:push',
    ].join('\n'),
    settings: [
      `$settings['fleetwatch_connector']['key'] = '${key}';`,
      `$settings['fleetwatch_connector']['server_url'] = '${server}';`,
    ].join('\n'),
  };
}

/**
 * "Connect this site": a new site key filled into copy-ready commands for the agent,
 * its cron line and the Drupal module, then a live wait for the site's first push
 * (the site query is refreshed by the event stream when the snapshot is processed).
 */
export function ConnectSitePanel({
  siteId,
  siteName,
  lastSeenAt,
}: {
  siteId: string;
  siteName: string;
  lastSeenAt?: string | null;
}) {
  const create = useCreateSiteApiKey(siteId);
  const server = window.location.origin;
  const key = create.data?.key;
  const cmds = key ? connectCommands(server, key) : null;
  return (
    <Card withBorder>
      <Stack>
        <Title order={2} size="h4">
          Connect this site
        </Title>
        {!key ? (
          <>
            <Text size="sm">
              Fleetwatch learns what {siteName} runs when the site pushes its inventory. Create a
              site key and copy the commands for the agent (cron) or the Drupal module.
            </Text>
            <ApiErrorAlert error={create.error} title="The key was not created" />
            <Button
              w="fit-content"
              loading={create.isPending}
              onClick={() => create.mutate('connect')}
            >
              Create a key and show the commands
            </Button>
          </>
        ) : (
          <>
            <Text size="sm">
              The key is shown this once. Server: <code>{server}</code>
            </Text>
            <Tabs defaultValue="agent">
              <Tabs.List>
                <Tabs.Tab value="agent">Agent and cron</Tabs.Tab>
                <Tabs.Tab value="drupal">Drupal module</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="agent" pt="sm">
                <Stack gap="xs">
                  <Text size="sm">Push once from the Drupal host:</Text>
                  <CopyField label="Agent command" value={cmds!.agent} />
                  <Text size="sm">Then every 30 minutes, from the crontab of the web user:</Text>
                  <CopyField label="Cron line" value={cmds!.cron} />
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="drupal" pt="sm">
                <Stack gap="xs">
                  <Text size="sm">
                    Install the module (integrations/drupal/fleetwatch_connector), give it the key
                    and the server, and push once:
                  </Text>
                  <CopyField label="Drupal module commands" value={cmds!.drupal} />
                  <Text size="sm">Or in settings.php, which wins over the form:</Text>
                  <CopyField label="settings.php lines" value={cmds!.settings} />
                </Stack>
              </Tabs.Panel>
            </Tabs>
          </>
        )}
        {lastSeenAt ? (
          <Alert color="teal" title="Connected" role="status">
            The first push arrived: the inventory is below.
          </Alert>
        ) : (
          <Alert
            color="gray"
            title="Waiting for the first push…"
            role="status"
            icon={<Loader size="xs" />}
          >
            This turns green as soon as {siteName} pushes; no need to reload.
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
