import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, SecurityUpdateRow } from '@/api/types';
import { api } from '@/lib/api-client';

/**
 * An open security update as the overview ranks sites by it (GET /reports/security-updates):
 * with its deadline and SLA state, `accepted` while a risk acceptance holds.
 */
export type OpenExposure = SecurityUpdateRow;

export const getOpenExposures = () =>
  api.get<Page<OpenExposure>>('/reports/security-updates', { per_page: 500, sort: 'due_at' });

export const getOpenExposuresQueryOptions = () =>
  queryOptions({ queryKey: ['exposures', 'open', 'overview'], queryFn: getOpenExposures });

export const useOpenExposures = () => useQuery(getOpenExposuresQueryOptions());
