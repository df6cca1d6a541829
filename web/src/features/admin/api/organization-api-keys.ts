import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { APIKey, CreatedAPIKey, IntegrationKeyBody, One, Page } from '@/api/types';
import { api } from '@/lib/api-client';

export type { IntegrationKeyBody };

const path = (orgId: string) => `/organizations/${encodeURIComponent(orgId)}/api-keys`;

export const getOrganizationApiKeys = (orgId: string) =>
  api.get<Page<APIKey>>(path(orgId), { per_page: 100, sort: '-created_at' });

export const getOrganizationApiKeysQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: ['organizations', orgId, 'api-keys'],
    queryFn: () => getOrganizationApiKeys(orgId),
  });

export const useOrganizationApiKeys = (orgId: string) =>
  useQuery(getOrganizationApiKeysQueryOptions(orgId));

export const createOrganizationApiKey = async ({
  orgId,
  body,
}: {
  orgId: string;
  body: IntegrationKeyBody;
}) => (await api.post<One<CreatedAPIKey>>(path(orgId), body)).data;

export const useCreateOrganizationApiKey = (orgId: string) => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: IntegrationKeyBody) => createOrganizationApiKey({ orgId, body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['organizations', orgId, 'api-keys'] }),
  });
};

export const revokeOrganizationApiKey = ({ orgId, keyId }: { orgId: string; keyId: string }) =>
  api.delete(`${path(orgId)}/${encodeURIComponent(keyId)}`);

export const useRevokeOrganizationApiKey = (orgId: string) => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => revokeOrganizationApiKey({ orgId, keyId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['organizations', orgId, 'api-keys'] }),
  });
};
