import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { One } from '@/api/types';
import { api } from '@/lib/api-client';

export interface SlaDeadlines {
  highly_critical: number;
  critical: number;
  moderately_critical: number;
  less_critical: number;
  not_critical: number;
}

/** An organization's SLA policy (GET/PUT /organizations/{id}/sla-policy). */
export interface SlaPolicy {
  organization_id?: string;
  version?: number;
  deadlines: SlaDeadlines;
  clock_start?: 'published' | 'detected';
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

export const putSlaPolicy = async ({ orgId, policy }: { orgId: string; policy: SlaPolicy }) =>
  (
    await api.put<One<SlaPolicy>>(path(orgId), {
      deadlines: policy.deadlines,
      clock_start: policy.clock_start,
    })
  ).data;

export const usePutSlaPolicy = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: putSlaPolicy,
    onSuccess: (_, v) =>
      qc.invalidateQueries({ queryKey: ['organizations', v.orgId, 'sla-policy'] }),
  });
};
