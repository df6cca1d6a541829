import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Module, Page, Site } from '@/api/types';
import { api } from '@/lib/api-client';

/** The first few sites and projects whose name (or address) contains q. */
export interface QuickResults {
  sites: Site[];
  modules: Module[];
}

export const quickSearch = async (q: string): Promise<QuickResults> => {
  const [sites, modules] = await Promise.all([
    api.get<Page<Site>>('/sites', { q, per_page: 6, sort: 'name' }),
    api.get<Page<Module>>('/modules', { q, per_page: 6, sort: '-sites_count,name' }),
  ]);
  return { sites: sites.data, modules: modules.data };
};

export const quickSearchQueryOptions = (q: string) =>
  queryOptions({
    queryKey: ['quick-search', q],
    queryFn: () => quickSearch(q),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

export const useQuickSearch = (q: string) =>
  useQuery({ ...quickSearchQueryOptions(q), enabled: q.length >= 2 });
