import { queryOptions, useQuery } from '@tanstack/react-query';
import type { HistoryEntry, Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** One validity interval of a (site, project): which version, which status, from when to when. */
export type { HistoryEntry };

export const getSiteHistory = (siteId: string) =>
  api.get<Page<HistoryEntry>>(`/sites/${encodeURIComponent(siteId)}/history`, { per_page: 500 });

export const getSiteHistoryQueryOptions = (siteId: string) =>
  queryOptions({ queryKey: ['sites', siteId, 'history'], queryFn: () => getSiteHistory(siteId) });

export const useSiteHistory = (siteId: string) => useQuery(getSiteHistoryQueryOptions(siteId));
