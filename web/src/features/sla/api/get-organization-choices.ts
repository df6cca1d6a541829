import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Organization, Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** Organizations an admin may pick to edit the SLA policy of. */
export const getOrganizationChoices = () =>
  api.get<Page<Organization>>('/organizations', { per_page: 500, sort: 'name' });

export const getOrganizationChoicesQueryOptions = () =>
  queryOptions({
    queryKey: ['organizations', 'sla-choices'],
    queryFn: getOrganizationChoices,
    staleTime: 60_000,
  });

export const useOrganizationChoices = (enabled: boolean) =>
  useQuery({ ...getOrganizationChoicesQueryOptions(), enabled });
