import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, QueryOf, SiteModule } from '@/api/types';
import { api } from '@/lib/api-client';

/** One project a site runs now (GET /sites/{id}/modules). */
export type { SiteModule };

export type SiteModulesParams = QueryOf<'list-site-modules'>;

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
