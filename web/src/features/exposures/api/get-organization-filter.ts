import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Organization, Page } from '@/api/types';
import { api } from '@/lib/api-client';

export const getOrganizationFilter = () =>
  api.get<Page<Organization>>('/organizations', { per_page: 500, sort: 'name' });

export const getOrganizationFilterQueryOptions = () =>
  queryOptions({
    queryKey: ['organizations', 'filter'],
    queryFn: getOrganizationFilter,
    staleTime: 60_000,
  });

export const useOrganizationFilter = () => useQuery(getOrganizationFilterQueryOptions());
