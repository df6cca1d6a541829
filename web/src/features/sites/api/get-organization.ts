import { queryOptions, useQuery } from '@tanstack/react-query';
import type { One, Organization } from '@/api/types';
import { api } from '@/lib/api-client';

export const getOrganization = async (id: string) =>
  (await api.get<One<Organization>>(`/organizations/${encodeURIComponent(id)}`)).data;

export const getOrganizationQueryOptions = (id: string) =>
  queryOptions({ queryKey: ['organizations', id], queryFn: () => getOrganization(id) });

export const useOrganization = (id?: string) =>
  useQuery({ ...getOrganizationQueryOptions(id ?? ''), enabled: !!id });
