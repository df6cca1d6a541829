import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Organization, Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** The organizations the caller can pick from when registering a site. */
export const getOrganizationChoices = () =>
  api.get<Page<Organization>>('/organizations', { per_page: 500, sort: 'name' });

export const getOrganizationChoicesQueryOptions = () =>
  queryOptions({
    queryKey: ['organizations', 'choices'],
    queryFn: getOrganizationChoices,
    staleTime: 60_000,
  });

export const useOrganizationChoices = (enabled: boolean) =>
  useQuery({ ...getOrganizationChoicesQueryOptions(), enabled });
