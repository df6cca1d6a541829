import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, QueryOf, SiteModule } from '@/api/types';
import { api } from '@/lib/api-client';

/** One project on one site (GET /site-modules). */
export type FleetSiteModule = SiteModule;

/** The non-security updates of every site you can see. */
export const otherUpdatesFilter = { update_available: 'true', security_update: 'false' } as const;

export type FleetUpdatesParams = Omit<
  QueryOf<'list-fleet-site-modules'>,
  keyof typeof otherUpdatesFilter
>;

export const getFleetUpdates = (params: FleetUpdatesParams) =>
  api.get<Page<FleetSiteModule>>('/site-modules', { ...otherUpdatesFilter, ...params });

export const getFleetUpdatesQueryOptions = (params: FleetUpdatesParams) =>
  queryOptions({
    queryKey: ['site-modules', 'other-updates', params],
    queryFn: () => getFleetUpdates(params),
  });

export const useFleetUpdates = (params: FleetUpdatesParams) =>
  useQuery(getFleetUpdatesQueryOptions(params));
