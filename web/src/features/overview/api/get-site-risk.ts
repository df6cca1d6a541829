import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, QueryOf, SiteRiskRow } from '@/api/types';
import { api } from '@/lib/api-client';

/** The sites with an open security update, ranked on the server (GET /reports/site-risk). */
export type SiteRiskParams = QueryOf<'get-site-risk-report'>;

export const getSiteRisk = (params: SiteRiskParams) =>
  api.get<Page<SiteRiskRow>>('/reports/site-risk', params);

export const getSiteRiskQueryOptions = (params: SiteRiskParams) =>
  queryOptions({
    queryKey: ['exposures', 'site-risk', params],
    queryFn: () => getSiteRisk(params),
  });

export const useSiteRisk = (params: SiteRiskParams) => useQuery(getSiteRiskQueryOptions(params));
