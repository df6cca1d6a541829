import {
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import type { AcceptBody, Acceptance, One } from '@/api/types';
import { api, isStatus } from '@/lib/api-client';

/** A risk acceptance of an exposure (GET/POST/DELETE /exposures/{id}/acceptance). */
export type { AcceptBody, Acceptance };

const path = (id: string) => `/exposures/${encodeURIComponent(id)}/acceptance`;

/** The acceptance in force, or null when there is none (404). */
export const getAcceptance = async (id: string): Promise<Acceptance | null> => {
  try {
    return (await api.get<One<Acceptance>>(path(id))).data;
  } catch (err) {
    if (isStatus(err, 404)) return null;
    throw err;
  }
};

export const getAcceptanceQueryOptions = (id: string) =>
  queryOptions({
    queryKey: ['exposures', id, 'acceptance'],
    queryFn: () => getAcceptance(id),
  });

export const useAcceptance = (id: string | undefined) =>
  useQuery({ ...getAcceptanceQueryOptions(id ?? ''), enabled: !!id });

export const acceptExposure = async ({ id, body }: { id: string; body: AcceptBody }) =>
  (await api.post<One<Acceptance>>(path(id), body)).data;

export const revokeAcceptance = ({ id }: { id: string }) => api.delete(path(id));

/** The lists and reports that say which exposures are accepted. */
const invalidateLists = (qc: QueryClient) => {
  void qc.invalidateQueries({ queryKey: ['reports'] });
  void qc.invalidateQueries({ queryKey: ['exposures', 'list'] });
  void qc.invalidateQueries({ queryKey: ['exposures', 'site-risk'] });
};

export const useAcceptExposure = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: acceptExposure,
    onSuccess: (acc, v) => {
      qc.setQueryData(getAcceptanceQueryOptions(v.id).queryKey, acc);
      invalidateLists(qc);
    },
  });
};

export const useRevokeAcceptance = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: revokeAcceptance,
    onSuccess: (_, v) => {
      qc.setQueryData(getAcceptanceQueryOptions(v.id).queryKey, null);
      invalidateLists(qc);
    },
  });
};
