import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, TrendRow } from '@/api/types';
import { api } from '@/lib/api-client';

/** One day of GET /reports/trends. */
export type ComplianceTrendRow = TrendRow;

export const getComplianceTrend = (params: {
  from?: string;
  to?: string;
  organization_id?: string;
}) => api.get<Page<ComplianceTrendRow>>('/reports/trends', { per_page: 500, ...params });

export const getComplianceTrendQueryOptions = (params: {
  from?: string;
  to?: string;
  organization_id?: string;
}) =>
  queryOptions({
    queryKey: ['reports', 'trends', params],
    queryFn: () => getComplianceTrend(params),
  });

export const useComplianceTrend = (params: {
  from?: string;
  to?: string;
  organization_id?: string;
}) => useQuery(getComplianceTrendQueryOptions(params));
