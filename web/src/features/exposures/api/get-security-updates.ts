import { queryOptions, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** One open exposure of the security-updates report, with its SLA state ("accepted" while a risk acceptance holds). */
export type SecurityUpdateRow = components['schemas']['SecurityUpdateRow'];

export interface SecurityUpdatesParams {
  organization_id?: string;
  q?: string;
}

/** Up to 500 open exposures: enough to know which of them are accepted. */
export const getSecurityUpdates = (params: SecurityUpdatesParams) =>
  api.get<Page<SecurityUpdateRow>>('/reports/security-updates', {
    per_page: 500,
    sort: 'due_at',
    ...params,
  });

export const getSecurityUpdatesQueryOptions = (params: SecurityUpdatesParams) =>
  queryOptions({
    queryKey: ['reports', 'security-updates', params],
    queryFn: () => getSecurityUpdates(params),
  });

export const useSecurityUpdates = (params: SecurityUpdatesParams) =>
  useQuery(getSecurityUpdatesQueryOptions(params));
