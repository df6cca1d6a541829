import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, PatchRun } from '@/api/types';
import { api } from '@/lib/api-client';

export type { PatchRun };

export const getSitePatchRuns = (siteId: string) =>
  api.get<Page<PatchRun>>(`/sites/${encodeURIComponent(siteId)}/patch-runs`, { per_page: 100 });

export const getSitePatchRunsQueryOptions = (siteId: string) =>
  queryOptions({
    queryKey: ['sites', siteId, 'patch-runs'],
    queryFn: () => getSitePatchRuns(siteId),
  });

export const useSitePatchRuns = (siteId: string) => useQuery(getSitePatchRunsQueryOptions(siteId));
