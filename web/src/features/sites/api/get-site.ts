import { queryOptions, useQuery } from '@tanstack/react-query';
import type { One, Site } from '@/api/types';
import { api } from '@/lib/api-client';

export const getSite = async (id: string, signal?: AbortSignal): Promise<Site> =>
  (await api.get<One<Site>>(`/sites/${encodeURIComponent(id)}`, undefined, signal)).data;

export const getSiteQueryOptions = (id: string) =>
  queryOptions({ queryKey: ['sites', id], queryFn: ({ signal }) => getSite(id, signal) });

export const useSite = (id: string) => useQuery(getSiteQueryOptions(id));
