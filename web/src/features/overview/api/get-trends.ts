import { queryOptions, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** One day of the fleet's trend (GET /reports/trends). */
export type TrendRow = components['schemas']['TrendRow'];

export interface TrendParams {
  from?: string;
  to?: string;
  organization_id?: string;
}

export const getTrends = (params: TrendParams) =>
  api.get<Page<TrendRow>>('/reports/trends', { per_page: 500, ...params });

export const getTrendsQueryOptions = (params: TrendParams) =>
  queryOptions({ queryKey: ['reports', 'trends', params], queryFn: () => getTrends(params) });

export const useTrends = (params: TrendParams) => useQuery(getTrendsQueryOptions(params));
