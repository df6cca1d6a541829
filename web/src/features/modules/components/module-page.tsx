import { BarChart } from '@mantine/charts';
import { Anchor, Card, Stack, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { StatusBadge } from '@/components/badges';
import { CsvButton } from '@/components/csv-button';
import { DataTable } from '@/components/data-table';
import { ExternalLink } from '@/components/external-link';
import { useOrganizationColumn } from '@/components/organization-column';
import { PageHeader } from '@/components/page-header';
import { Async, EmptyState } from '@/components/states';
import { isStatus } from '@/lib/api-client';
import type { ModuleSite } from '../api/get-module-sites';
import { useModuleSites } from '../api/get-module-sites';
import { projectURL } from '@/lib/drupal-links';

export function byVersion(rows: ModuleSite[]) {
  const m = new Map<
    string,
    { version: string; current: number; behind: number; insecure: number }
  >();
  for (const r of rows) {
    const v = r.version || '?';
    const e = m.get(v) ?? { version: v, current: 0, behind: 0, insecure: 0 };
    if (r.security_update) e.insecure++;
    else if (r.update_available) e.behind++;
    else e.current++;
    m.set(v, e);
  }
  return [...m.values()].sort((a, b) =>
    a.version.localeCompare(b.version, undefined, { numeric: true }),
  );
}

export function ModulePage() {
  const { name = '' } = useParams();
  const sites = useModuleSites(name);
  const organization = useOrganizationColumn((r: ModuleSite) => r.organization_id);
  // An unknown project and one no visible site runs look the same, so as
  // not to tell what other organizations run.
  const unknown = (
    <EmptyState title={`No site you can see runs '${name}'`}>
      Check the name, or find it on the{' '}
      <Anchor component={Link} to={`/modules?q=${encodeURIComponent(name)}`}>
        Modules
      </Anchor>{' '}
      page.
    </EmptyState>
  );
  return (
    <Stack>
      <PageHeader
        title={name}
        description={
          <>
            Which sites run this {name.includes('/') ? 'library' : 'project'}, at which versions ·{' '}
            <ExternalLink underline="always" href={projectURL(name)}>
              {name.includes('/') ? 'Packagist page' : 'drupal.org project page'}
            </ExternalLink>
          </>
        }
        actions={
          <CsvButton
            path={`/modules/${encodeURIComponent(name)}/sites`}
            filename={`${name}-sites.csv`}
          />
        }
      />
      {isStatus(sites.error, 404) ? (
        unknown
      ) : (
        <Async query={sites} what="Module usage" isEmpty={(d) => !d.data?.length} empty={unknown}>
          {(d) => (
            <Stack>
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  Sites per version
                </Title>
                <BarChart
                  h={200}
                  data={byVersion(d.data)}
                  dataKey="version"
                  type="stacked"
                  withLegend
                  series={[
                    { name: 'current', label: 'Up to date', color: 'teal.7' },
                    { name: 'behind', label: 'Update available', color: 'yellow.7' },
                    { name: 'insecure', label: 'Security update', color: 'red.7' },
                  ]}
                />
              </Card>
              <DataTable
                label="Sites running this project"
                rows={d.data}
                rowKey={(r) => r.site_id}
                minWidth={600}
                columns={[
                  {
                    key: 'site',
                    header: 'Site',
                    title: (r) => r.site_name || r.site_url,
                    render: (r) => (
                      <Anchor component={Link} to={`/sites/${r.site_id}`} size="sm">
                        {r.site_name || r.site_url || r.site_id}
                      </Anchor>
                    ),
                  },
                  ...organization,
                  {
                    key: 'version',
                    header: 'Version',
                    title: (r) => r.version,
                    render: (r) => <code>{r.version}</code>,
                  },
                  {
                    key: 'status',
                    header: 'Status',
                    render: (r) => <StatusBadge status={r.status} />,
                  },
                  {
                    key: 'recommended',
                    header: 'Recommended',
                    title: (r) => r.recommended_version,
                    render: (r) =>
                      r.recommended_version ? <code>{r.recommended_version}</code> : '—',
                  },
                ]}
              />
            </Stack>
          )}
        </Async>
      )}
    </Stack>
  );
}
