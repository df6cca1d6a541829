import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Exposure, Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** The open exposures the overview ranks sites by. */
export type OpenExposure = Exposure;

export const getOpenExposures = () =>
  api.get<Page<OpenExposure>>('/exposures', { state: 'open', per_page: 500, sort: 'due_at' });

export const getOpenExposuresQueryOptions = () =>
  queryOptions({ queryKey: ['exposures', 'open', 'overview'], queryFn: getOpenExposures });

export const useOpenExposures = () => useQuery(getOpenExposuresQueryOptions());
