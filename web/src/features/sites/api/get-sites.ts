import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, Site } from '@/api/types';
import { api } from '@/lib/api-client';

export interface SitesParams {
  page?: number;
  per_page?: number;
  sort?: string;
  q?: string;
  organization_id?: string;
}

export const getSites = (params: SitesParams, signal?: AbortSignal) =>
  api.get<Page<Site>>('/sites', { ...params }, signal);

export const getSitesQueryOptions = (params: SitesParams) =>
  queryOptions({
    queryKey: ['sites', 'list', params],
    queryFn: ({ signal }) => getSites(params, signal),
    placeholderData: keepPreviousData,
  });

export const useSites = (params: SitesParams) => useQuery(getSitesQueryOptions(params));
