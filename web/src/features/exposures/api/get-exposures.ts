import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** An outstanding (or past) security update of one project on one site (GET /exposures). */
export interface Exposure {
  id: string;
  site_id: string;
  site_name?: string;
  organization_id?: string;
  project: string;
  installed_version?: string;
  fixed_by?: string[] | null;
  advisories?: string[] | null;
  severity?: string;
  severity_known?: boolean;
  published_at?: string | null;
  detected_at?: string;
  due_at?: string;
  resolved_at?: string | null;
  state?: string;
  sla_status?: string;
  sla_outcome?: string | null;
}

export interface ExposuresParams {
  page?: number;
  per_page?: number;
  sort?: string;
  q?: string;
  organization_id?: string;
  severity?: string;
  state?: string;
  sla_status?: string;
  overdue?: string;
}

export const getExposures = (params: ExposuresParams) =>
  api.get<Page<Exposure>>('/exposures', { ...params });

export const getExposuresQueryOptions = (params: ExposuresParams) =>
  queryOptions({
    queryKey: ['exposures', 'list', params],
    queryFn: () => getExposures(params),
    placeholderData: keepPreviousData,
  });

export const useExposures = (params: ExposuresParams) => useQuery(getExposuresQueryOptions(params));
