import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { One } from '@/api/types';
import { api } from '@/lib/api-client';

/**
 * Days to patch, per severity (`SLADeadlineDays`). The SLA policy routes are
 * not in the generated schema.d.ts yet (cmd/fleetwatch-openapi builds the
 * server without the SLA service), so these shapes are copied by hand from
 * the OpenAPI document a running `fleetwatch serve` answers.
 */
export interface SlaDeadlines {
  highly_critical: number;
  critical: number;
  moderately_critical: number;
  less_critical: number;
  not_critical: number;
}

export type ClockStart = 'published' | 'detected';

/** An organization's SLA policy (GET /organizations/{id}/sla-policy → `SLAPolicy`). */
export interface SlaPolicy {
  organization_id: string;
  /** increases with each change; 0 for the defaults, never saved */
  version: number;
  deadlines: SlaDeadlines;
  /** whether the clock starts at the release's publication or at first detection */
  clock_start: ClockStart;
  /** when this version was saved; null for the defaults */
  created_at: string | null;
  /** who saved this version; null for the defaults */
  created_by: string | null;
}

/** PUT /organizations/{id}/sla-policy (`SLAPolicyBody`). */
export interface SlaPolicyBody {
  deadlines: SlaDeadlines;
  /** default published */
  clock_start?: ClockStart;
}

const path = (orgId: string) => `/organizations/${encodeURIComponent(orgId)}/sla-policy`;

export const getSlaPolicy = async (orgId: string) =>
  (await api.get<One<SlaPolicy>>(path(orgId))).data;

export const getSlaPolicyQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: ['organizations', orgId, 'sla-policy'],
    queryFn: () => getSlaPolicy(orgId),
  });

export const useSlaPolicy = (orgId: string | undefined) =>
  useQuery({ ...getSlaPolicyQueryOptions(orgId ?? ''), enabled: !!orgId });

export const putSlaPolicy = async ({ orgId, body }: { orgId: string; body: SlaPolicyBody }) =>
  (await api.put<One<SlaPolicy>>(path(orgId), body)).data;

export const usePutSlaPolicy = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: putSlaPolicy,
    onSuccess: (policy, v) => {
      qc.setQueryData(getSlaPolicyQueryOptions(v.orgId).queryKey, policy);
      void qc.invalidateQueries({ queryKey: ['reports'] });
    },
  });
};
