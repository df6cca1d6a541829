import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, QueryOf, Site } from '@/api/types';
import { api } from '@/lib/api-client';

export type SitesParams = QueryOf<'list-sites'>;

export const getSites = (params: SitesParams, signal?: AbortSignal) =>
  api.get<Page<Site>>('/sites', { ...params }, signal);

export const getSitesQueryOptions = (params: SitesParams) =>
  queryOptions({
    queryKey: ['sites', 'list', params],
    queryFn: ({ signal }) => getSites(params, signal),
    placeholderData: keepPreviousData,
  });

export const useSites = (params: SitesParams) => useQuery(getSitesQueryOptions(params));
