import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ClockStart, One, SLADeadlineDays, SLAPolicy, SLAPolicyBody } from '@/api/types';
import { api } from '@/lib/api-client';

/** Days to patch, per severity. */
export type SlaDeadlines = SLADeadlineDays;
/** An organization's SLA policy (GET /organizations/{id}/sla-policy). */
export type SlaPolicy = SLAPolicy;
/** PUT /organizations/{id}/sla-policy. */
export type SlaPolicyBody = SLAPolicyBody;
export type { ClockStart };

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
