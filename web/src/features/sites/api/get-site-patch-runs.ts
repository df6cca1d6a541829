import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

export interface PatchRun {
  id: string;
  run_date?: string;
  started_at?: string | null;
  finished_at?: string | null;
  status?: string;
  tool?: string;
  changes?: { name: string; from_version?: string; to_version?: string }[] | null;
  notes?: string;
  recorded_by?: string | null;
}

export const getSitePatchRuns = (siteId: string) =>
  api.get<Page<PatchRun>>(`/sites/${encodeURIComponent(siteId)}/patch-runs`, { per_page: 100 });

export const getSitePatchRunsQueryOptions = (siteId: string) =>
  queryOptions({
    queryKey: ['sites', siteId, 'patch-runs'],
    queryFn: () => getSitePatchRuns(siteId),
  });

export const useSitePatchRuns = (siteId: string) => useQuery(getSitePatchRunsQueryOptions(siteId));
