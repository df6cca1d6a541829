import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

export type Severity =
  'highly_critical' | 'critical' | 'moderately_critical' | 'less_critical' | 'not_critical';

/**
 * An outstanding (or past) security update of one project on one site
 * (GET /exposures). Written by hand from the server's OpenAPI document
 * (`Exposure`): the route is not in the generated schema.d.ts yet, because
 * cmd/fleetwatch-openapi builds the server without the exposure services.
 */
export interface Exposure {
  id: string;
  site_id: string;
  site_name?: string;
  organization_id?: string;
  project: string;
  installed_version?: string;
  /** The security releases that fix it; empty when the whole project is insecure */
  fixed_by?: string[] | null;
  advisories?: string[] | null;
  severity?: Severity | string;
  severity_known?: boolean;
  published_at?: string | null;
  detected_at?: string;
  clock_started_at?: string;
  due_at?: string;
  resolved_at?: string | null;
  resolved_version?: string;
  state?: 'open' | 'resolved' | string;
  sla_status?: 'within' | 'at_risk' | 'breached' | string;
  sla_outcome?: 'within' | 'breached' | null | string;
}

/** The filters GET /exposures documents. */
export interface ExposuresParams {
  page?: number;
  per_page?: number;
  sort?: string;
  q?: string;
  organization_id?: string;
  site_id?: string;
  project?: string;
  severity?: string;
  state?: 'open' | 'resolved' | string;
  /** true: open past the due date, or resolved after it */
  overdue?: 'true' | 'false' | string;
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
