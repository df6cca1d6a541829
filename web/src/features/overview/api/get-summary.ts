import { queryOptions, useQuery } from '@tanstack/react-query';
import type { One, SummaryReport } from '@/api/types';
import { api } from '@/lib/api-client';

/** The fleet at a glance (GET /reports/summary). */
export type Summary = SummaryReport;

export const getSummary = async (params: { organization_id?: string } = {}) =>
  (await api.get<One<Summary>>('/reports/summary', { ...params })).data;

export const getSummaryQueryOptions = (params: { organization_id?: string } = {}) =>
  queryOptions({ queryKey: ['reports', 'summary', params], queryFn: () => getSummary(params) });

export const useSummary = (params: { organization_id?: string } = {}) =>
  useQuery(getSummaryQueryOptions(params));
