import { queryOptions, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** One project on one site (GET /site-modules). */
export type FleetSiteModule = components['schemas']['SiteModule'];

export interface FleetUpdatesParams {
  page?: number;
  per_page?: number;
  sort?: string;
  q?: string;
  organization_id?: string;
}

/** The non-security updates of every site you can see. */
export const otherUpdatesFilter = { update_available: 'true', security_update: 'false' } as const;

export const getFleetUpdates = (params: FleetUpdatesParams) =>
  api.get<Page<FleetSiteModule>>('/site-modules', { ...otherUpdatesFilter, ...params });

export const getFleetUpdatesQueryOptions = (params: FleetUpdatesParams) =>
  queryOptions({
    queryKey: ['site-modules', 'other-updates', params],
    queryFn: () => getFleetUpdates(params),
  });

export const useFleetUpdates = (params: FleetUpdatesParams) =>
  useQuery(getFleetUpdatesQueryOptions(params));
