import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { One } from '@/api/types';
import { api, isStatus } from '@/lib/api-client';

/**
 * A risk acceptance of an exposure (GET/POST/DELETE /exposures/{id}/acceptance).
 * Written by hand from the server's OpenAPI document (`Acceptance`): the route
 * is not in the generated schema.d.ts yet.
 */
export interface Acceptance {
  id: string;
  exposure_id: string;
  justification: string;
  accepted_at: string;
  expires_at: string;
  /** the org admin who accepted it */
  accepted_by: string | null;
  /** their name, or e-mail when unnamed */
  accepted_by_name?: string | null;
  revoked_at: string | null;
  revoked_by?: string | null;
  revoked_by_name?: string | null;
}

export interface AcceptBody {
  justification: string;
  /** RFC 3339, at most a year ahead */
  expires_at: string;
}

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

export const useAcceptExposure = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: acceptExposure,
    onSuccess: (acc, v) => {
      qc.setQueryData(getAcceptanceQueryOptions(v.id).queryKey, acc);
      void qc.invalidateQueries({ queryKey: ['reports'] });
    },
  });
};

export const useRevokeAcceptance = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: revokeAcceptance,
    onSuccess: (_, v) => {
      qc.setQueryData(getAcceptanceQueryOptions(v.id).queryKey, null);
      void qc.invalidateQueries({ queryKey: ['reports'] });
    },
  });
};
