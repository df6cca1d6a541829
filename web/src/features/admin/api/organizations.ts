import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { One, Organization, OrganizationBody, Page } from '@/api/types';
import { api } from '@/lib/api-client';

export const getOrganizations = (params: { page?: number; sort?: string; q?: string }) =>
  api.get<Page<Organization>>('/organizations', { per_page: 50, ...params });

export const getOrganizationsQueryOptions = (params: {
  page?: number;
  sort?: string;
  q?: string;
}) =>
  queryOptions({
    queryKey: ['organizations', 'list', params],
    queryFn: () => getOrganizations(params),
    placeholderData: keepPreviousData,
  });

export const useOrganizations = (params: { page?: number; sort?: string; q?: string }) =>
  useQuery(getOrganizationsQueryOptions(params));

export const createOrganization = async (body: OrganizationBody) =>
  (await api.post<One<Organization>>('/organizations', body)).data;

export const updateOrganization = async ({ id, body }: { id: string; body: OrganizationBody }) =>
  (await api.patch<One<Organization>>(`/organizations/${id}`, body)).data;

export const useSaveOrganization = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id?: string; body: OrganizationBody }) =>
      v.id ? updateOrganization({ id: v.id, body: v.body }) : createOrganization(v.body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['organizations'] }),
  });
};
