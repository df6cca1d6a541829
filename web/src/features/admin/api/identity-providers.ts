import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { IdentityProvider, IdentityProviderInput, One, Page, SignInPolicy } from '@/api/types';
import { api } from '@/lib/api-client';

export const getIdentityProviders = () =>
  api.get<Page<IdentityProvider>>('/admin/identity-providers');

export const identityProvidersQueryOptions = () =>
  queryOptions({ queryKey: ['identity-providers'], queryFn: getIdentityProviders });

export const useIdentityProviders = () => useQuery(identityProvidersQueryOptions());

export const saveIdentityProvider = async ({
  id,
  body,
}: {
  id?: string;
  body: IdentityProviderInput;
}) =>
  id
    ? (await api.patch<One<IdentityProvider>>(`/admin/identity-providers/${id}`, body)).data
    : (await api.post<One<IdentityProvider>>('/admin/identity-providers', body)).data;

export const useSaveIdentityProvider = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: saveIdentityProvider,
    onSuccess: () => qc.invalidateQueries({ queryKey: ['identity-providers'] }),
  });
};

export const useDeleteIdentityProvider = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/admin/identity-providers/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['identity-providers'] }),
  });
};

export const getSignInPolicy = async (orgId: string) =>
  (await api.get<One<SignInPolicy>>(`/organizations/${orgId}/sign-in-policy`)).data;

export const useSignInPolicy = (orgId: string) =>
  useQuery({ queryKey: ['sign-in-policy', orgId], queryFn: () => getSignInPolicy(orgId) });

export const useSetSignInPolicy = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ orgId, policy }: { orgId: string; policy: SignInPolicy }) =>
      (await api.put<One<SignInPolicy>>(`/organizations/${orgId}/sign-in-policy`, policy)).data,
    onSuccess: (_, v) => qc.invalidateQueries({ queryKey: ['sign-in-policy', v.orgId] }),
  });
};
