import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** SLA compliance of one organization or site over a period (GET /reports/sla-compliance). */
export interface ComplianceRow {
  scope?: 'organization' | 'site';
  organization_id?: string;
  organization_name?: string;
  site_id?: string;
  site_name?: string;
  closed?: number;
  within?: number;
  breached?: number;
  compliance_pct?: number | null;
  mean_hours_to_patch?: number | null;
  p90_hours_to_patch?: number | null;
  open_breaches?: number;
}

export interface ComplianceParams {
  from?: string;
  to?: string;
  organization_id?: string;
  group_by?: string;
}

export const getSlaCompliance = (params: ComplianceParams) =>
  api.get<Page<ComplianceRow>>('/reports/sla-compliance', { per_page: 500, ...params });

export const getSlaComplianceQueryOptions = (params: ComplianceParams) =>
  queryOptions({
    queryKey: ['reports', 'sla-compliance', params],
    queryFn: () => getSlaCompliance(params),
  });

export const useSlaCompliance = (params: ComplianceParams) =>
  useQuery(getSlaComplianceQueryOptions(params));
