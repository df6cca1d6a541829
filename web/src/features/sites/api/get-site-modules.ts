import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** One project a site runs now (GET /sites/{id}/modules). Read defensively: the route is new. */
export interface SiteModule {
  name: string;
  type?: string;
  source?: string;
  drupal_link?: string;
  version?: string;
  status?: string;
  update_available?: boolean;
  security_update?: boolean;
  latest_version?: string;
  recommended_version?: string;
  severity?: string | null;
  due_at?: string | null;
  updated_at?: string;
}

export interface SiteModulesParams {
  page?: number;
  per_page?: number;
  sort?: string;
  q?: string;
  status?: string;
}

export const getSiteModules = (siteId: string, params: SiteModulesParams = {}) =>
  api.get<Page<SiteModule>>(`/sites/${encodeURIComponent(siteId)}/modules`, {
    per_page: 500,
    ...params,
  });

export const getSiteModulesQueryOptions = (siteId: string, params: SiteModulesParams = {}) =>
  queryOptions({
    queryKey: ['sites', siteId, 'modules', params],
    queryFn: () => getSiteModules(siteId, params),
  });

export const useSiteModules = (siteId: string, params: SiteModulesParams = {}) =>
  useQuery(getSiteModulesQueryOptions(siteId, params));
