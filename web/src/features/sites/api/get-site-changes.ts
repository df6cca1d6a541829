import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, QueryOf, SiteChange } from '@/api/types';
import { api } from '@/lib/api-client';

/** One change of what a site runs: a project added, removed or moved from one version to another. */
export type { SiteChange };

export type SiteChangesParams = QueryOf<'list-site-changes'>;

export const getSiteChanges = (siteId: string, params: SiteChangesParams = {}) =>
  api.get<Page<SiteChange>>(`/sites/${encodeURIComponent(siteId)}/changes`, params);

export const getSiteChangesQueryOptions = (siteId: string, params: SiteChangesParams = {}) =>
  queryOptions({
    queryKey: ['sites', siteId, 'changes', params],
    queryFn: () => getSiteChanges(siteId, params),
    placeholderData: keepPreviousData,
  });

export const useSiteChanges = (siteId: string, params: SiteChangesParams = {}) =>
  useQuery(getSiteChangesQueryOptions(siteId, params));
