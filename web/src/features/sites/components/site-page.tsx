import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { LastSeen } from '@/components/badges';
import { CsvButton } from '@/components/csv-button';
import { PageHeader } from '@/components/page-header';
import { Async } from '@/components/states';
import type { Site } from '@/api/types';
import { isStatus } from '@/lib/api-client';
import { atLeast, useMe } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useListParams } from '@/lib/url-state';
import { useSite } from '../api/get-site';
import { summarizeExposures, useSiteExposures } from '../api/get-site-exposures';
import { useOrganization } from '../api/get-organization';
import { useSiteHistory } from '../api/get-site-history';
import { useSiteModules } from '../api/get-site-modules';
import { useSitePatchRuns } from '../api/get-site-patch-runs';
import { ApiKeysPanel } from './api-keys-panel';
import { ChangesTab } from './changes-tab';
import { ConnectSitePanel } from './connect-site-panel';
import { endOfDay, HistoryTab } from './history-tab';
import { InventoryTab } from './inventory-tab';
import { PatchRunsTab } from './patch-runs-tab';

type PlatformVerdict = NonNullable<Site['platforms']>[number];

/**
 * A platform's version with its end of life when it matters: ended (red) or
 * ending within 90 days; the whole verdict in the title.
 */
function PlatformFact({ version, verdict }: { version: string; verdict?: PlatformVerdict }) {
  if (!version) return <>—</>;
  const ended = verdict?.status === 'ended';
  return (
    <span title={verdict?.message}>
      {version}
      {(ended || verdict?.ends_soon) && (
        <Text
          size="xs"
          c={ended ? 'var(--fw-danger-text)' : undefined}
          fw={600}
          data-testid={`platform-${verdict?.product}`}
        >
          {ended
            ? `security support ended ${verdict?.security_ends ?? ''}`.trim()
            : `security support ends ${verdict?.security_ends}`}
        </Text>
      )}
    </span>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}

export function SitePage() {
  const { id = '' } = useParams();
  const list = useListParams();
  const me = useMe();
  const site = useSite(id);
  const modules = useSiteModules(id);
  const history = useSiteHistory(id, endOfDay(list.get('asof')));
  const runs = useSitePatchRuns(id, { page: Math.max(1, Number(list.get('rpage')) || 1) });
  const exposures = useSiteExposures(id);
  const organization = useOrganization(site.data?.organization_id);
  const summary = exposures.data
    ? summarizeExposures(exposures.data.data ?? [], exposures.dataUpdatedAt)
    : undefined;
  // A tab whose route the server does not have (404) is hidden.
  const has = (q: { error: unknown }) => !isStatus(q.error, 404);
  const libraries = (modules.data?.data ?? []).filter((m) => m.source === 'packagist');
  const projects = (modules.data?.data ?? []).filter((m) => m.source !== 'packagist');
  const tabs = [
    has(modules) && 'inventory',
    libraries.length > 0 && 'libraries',
    has(history) && 'changes',
    has(history) && 'history',
    has(runs) && 'patch-runs',
    'keys',
  ].filter(Boolean) as string[];
  const tab = tabs.includes(list.get('tab')) ? list.get('tab') : tabs[0];

  return (
    <Async query={site}>
      {(s) => (
        <Stack>
          <Anchor component={Link} to="/sites" size="sm">
            ← All sites
          </Anchor>
          <PageHeader
            title={s.name || s.url}
            description={
              <>
                <Anchor href={s.url} target="_blank" rel="noreferrer" underline="always">
                  {s.url}
                </Anchor>
                {organization.data && <> · {organization.data.name}</>}
                {summary && ' · '}
                {summary && (
                  <Text
                    span
                    c={summary.pastDue ? 'var(--fw-danger-text)' : undefined}
                    fw={summary.open ? 600 : undefined}
                    data-testid="site-summary"
                  >
                    {summary.open} security
                    {summary.open > 0 && <> · {summary.pastDue} past due</>}
                    {summary.oldestDays !== undefined && <> · oldest {summary.oldestDays} d</>}
                  </Text>
                )}
              </>
            }
            actions={!s.is_active && <Badge color="gray.7">Inactive</Badge>}
          />
          <Card withBorder>
            <SimpleGrid cols={{ base: 2, sm: 3, md: 5 }}>
              <Fact label="Last seen">
                <LastSeen at={s.last_seen_at} />
              </Fact>
              <Fact label="First seen">{formatDateTime(s.first_seen_at)}</Fact>
              <Fact label="Drupal core">
                <PlatformFact
                  version={s.core_version}
                  verdict={s.platforms?.find((p) => p.product === 'drupal')}
                />
              </Fact>
              <Fact label="PHP">
                <PlatformFact
                  version={s.php_version}
                  verdict={s.platforms?.find((p) => p.product === 'php')}
                />
              </Fact>
              <Fact label="Registered">{formatDateTime(s.created_at)}</Fact>
            </SimpleGrid>
            {s.description && (
              <Text size="sm" mt="sm">
                {s.description}
              </Text>
            )}
          </Card>
          {atLeast(me.data?.role, 'member') && (list.get('connect') === '1' || !s.last_seen_at) && (
            <ConnectSitePanel siteId={id} siteName={s.name || s.url} lastSeenAt={s.last_seen_at} />
          )}
          <Tabs
            value={tab}
            onChange={(v) => list.update({ tab: v ?? undefined })}
            keepMounted={false}
          >
            <Tabs.List>
              {tabs.includes('inventory') && <Tabs.Tab value="inventory">Inventory</Tabs.Tab>}
              {tabs.includes('libraries') && (
                <Tabs.Tab value="libraries">Libraries ({libraries.length})</Tabs.Tab>
              )}
              {tabs.includes('changes') && <Tabs.Tab value="changes">Changes</Tabs.Tab>}
              {tabs.includes('history') && <Tabs.Tab value="history">History</Tabs.Tab>}
              {tabs.includes('patch-runs') && <Tabs.Tab value="patch-runs">Patch runs</Tabs.Tab>}
              <Tabs.Tab value="keys">API keys</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="inventory" pt="md">
              <Group justify="flex-end" mb="xs">
                <CsvButton
                  path={`/sites/${id}/modules`}
                  query={{
                    security_update: list.get('show') === 'security' ? 'true' : undefined,
                    update_available: list.get('show') === 'updates' ? 'true' : undefined,
                  }}
                  filename={`site-${s.name || id}-inventory.csv`}
                />
              </Group>
              <Async
                query={modules}
                isEmpty={(d) => !d.data?.length}
                empty={<Text c="dimmed">No data yet: this site has not pushed an inventory.</Text>}
              >
                {() => (
                  <InventoryTab
                    modules={projects}
                    exposures={exposures.data?.data ?? []}
                    filter={list.get('show')}
                    onFilter={(show) => list.update({ show })}
                  />
                )}
              </Async>
            </Tabs.Panel>
            <Tabs.Panel value="libraries" pt="md">
              <Group justify="flex-end" mb="xs">
                <CsvButton
                  path={`/sites/${id}/modules`}
                  query={{
                    type: 'library',
                    security_update: list.get('show') === 'security' ? 'true' : undefined,
                  }}
                  filename={`site-${s.name || id}-libraries.csv`}
                />
              </Group>
              <InventoryTab
                libraries
                modules={libraries}
                exposures={exposures.data?.data ?? []}
                filter={list.get('show')}
                onFilter={(show) => list.update({ show })}
              />
            </Tabs.Panel>
            <Tabs.Panel value="changes" pt="md">
              <ChangesTab
                siteId={id}
                siteName={s.name || id}
                page={Math.max(1, Number(list.get('cpage')) || 1)}
                module={list.get('module')}
                onChange={(patch) => list.update(patch)}
              />
            </Tabs.Panel>
            <Tabs.Panel value="history" pt="md">
              <Async query={history}>
                {(d) => (
                  <HistoryTab
                    entries={d.data ?? []}
                    day={list.get('asof')}
                    onDay={(asof) => list.update({ asof })}
                  />
                )}
              </Async>
            </Tabs.Panel>
            <Tabs.Panel value="patch-runs" pt="md">
              <Async query={runs}>
                {(d) => <PatchRunsTab runs={d} onPage={(p) => list.update({ rpage: p })} />}
              </Async>
            </Tabs.Panel>
            <Tabs.Panel value="keys" pt="md">
              <ApiKeysPanel siteId={id} canManage={atLeast(me.data?.role, 'member')} />
            </Tabs.Panel>
          </Tabs>
        </Stack>
      )}
    </Async>
  );
}
