import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, QueryOf, TrendRow } from '@/api/types';
import { api } from '@/lib/api-client';

/** One day of the fleet's trend (GET /reports/trends). */
export type { TrendRow };

export type TrendParams = QueryOf<'get-trends-report'>;

export const getTrends = (params: TrendParams) =>
  api.get<Page<TrendRow>>('/reports/trends', { per_page: 500, ...params });

export const getTrendsQueryOptions = (params: TrendParams) =>
  queryOptions({ queryKey: ['reports', 'trends', params], queryFn: () => getTrends(params) });

export const useTrends = (params: TrendParams) => useQuery(getTrendsQueryOptions(params));
