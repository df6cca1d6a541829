import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ComplianceRow, Page, QueryOf } from '@/api/types';
import { api } from '@/lib/api-client';

/** SLA compliance of one organization or site over a period (GET /reports/sla-compliance). */
export type { ComplianceRow };

export type ComplianceParams = QueryOf<'get-sla-compliance-report'>;

export const getSlaCompliance = (params: ComplianceParams) =>
  api.get<Page<ComplianceRow>>('/reports/sla-compliance', params);

export const getSlaComplianceQueryOptions = (params: ComplianceParams) =>
  queryOptions({
    queryKey: ['reports', 'sla-compliance', params],
    queryFn: () => getSlaCompliance(params),
  });

export const useSlaCompliance = (params: ComplianceParams) =>
  useQuery(getSlaComplianceQueryOptions(params));
