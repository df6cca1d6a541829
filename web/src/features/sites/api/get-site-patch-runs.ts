import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, PatchRun, QueryOf } from '@/api/types';
import { api } from '@/lib/api-client';

export type { PatchRun };

export type SitePatchRunsParams = QueryOf<'list-site-patch-runs'>;

export const getSitePatchRuns = (siteId: string, params: SitePatchRunsParams = {}) =>
  api.get<Page<PatchRun>>(`/sites/${encodeURIComponent(siteId)}/patch-runs`, {
    per_page: 25,
    ...params,
  });

export const getSitePatchRunsQueryOptions = (siteId: string, params: SitePatchRunsParams = {}) =>
  queryOptions({
    queryKey: ['sites', siteId, 'patch-runs', params],
    queryFn: () => getSitePatchRuns(siteId, params),
    placeholderData: keepPreviousData,
  });

export const useSitePatchRuns = (siteId: string, params: SitePatchRunsParams = {}) =>
  useQuery(getSitePatchRunsQueryOptions(siteId, params));
