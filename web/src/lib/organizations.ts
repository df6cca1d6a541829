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

/** Every organization the user can see, by name (enabled: false skips the request). */
export const useOrganizationFilter = ({ enabled = true }: { enabled?: boolean } = {}) =>
  useQuery({ ...getOrganizationFilterQueryOptions(), enabled });
