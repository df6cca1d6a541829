import { queryOptions, useQuery } from '@tanstack/react-query';
import type { One } from '@/api/types';
import { api } from '@/lib/api-client';

/** The fleet at a glance (GET /reports/summary). */
export interface Summary {
  sites?: number;
  sites_reporting_24h?: number;
  stale_sites?: number;
  projects?: number;
  updates_available?: number;
  security_updates?: number;
  security_highly_critical?: number;
  security_critical?: number;
  security_moderately_critical?: number;
  security_less_critical?: number;
  security_not_critical?: number;
  sites_with_security_updates?: number;
  overdue_exposures?: number;
  compliance_30d?: number | null;
  compliance_90d?: number | null;
  generated_at?: string;
}

export const getSummary = async (params: { organization_id?: string } = {}) =>
  (await api.get<One<Summary>>('/reports/summary', { ...params })).data;

export const getSummaryQueryOptions = (params: { organization_id?: string } = {}) =>
  queryOptions({ queryKey: ['reports', 'summary', params], queryFn: () => getSummary(params) });

export const useSummary = (params: { organization_id?: string } = {}) =>
  useQuery(getSummaryQueryOptions(params));
