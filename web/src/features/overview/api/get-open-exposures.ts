import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** The fields of an open exposure the overview ranks sites by. */
export interface OpenExposure {
  id: string;
  site_id: string;
  site_name?: string;
  project: string;
  severity?: string;
  due_at?: string;
  sla_status?: string;
}

export const getOpenExposures = () =>
  api.get<Page<OpenExposure>>('/exposures', { state: 'open', per_page: 500, sort: 'due_at' });

export const getOpenExposuresQueryOptions = () =>
  queryOptions({ queryKey: ['exposures', 'open', 'overview'], queryFn: getOpenExposures });

export const useOpenExposures = () => useQuery(getOpenExposuresQueryOptions());
