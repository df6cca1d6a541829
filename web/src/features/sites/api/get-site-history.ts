import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { HistoryEntry, Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** One validity interval of a (site, project): which version, which status, from when to when. */
export type { HistoryEntry };

/** What the site ran at `at` (RFC 3339; now when absent). */
export const getSiteHistory = (siteId: string, at?: string) =>
  api.get<Page<HistoryEntry>>(`/sites/${encodeURIComponent(siteId)}/history`, {
    per_page: 500,
    at,
  });

export const getSiteHistoryQueryOptions = (siteId: string, at?: string) =>
  queryOptions({
    queryKey: ['sites', siteId, 'history', at ?? 'now'],
    queryFn: () => getSiteHistory(siteId, at),
    placeholderData: keepPreviousData,
  });

export const useSiteHistory = (siteId: string, at?: string) =>
  useQuery(getSiteHistoryQueryOptions(siteId, at));
