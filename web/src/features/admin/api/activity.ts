import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { ActivityLog, Page, QueryOf } from '@/api/types';
import { api } from '@/lib/api-client';

export type ActivityParams = QueryOf<'list-activity'>;

export const getActivity = (params: ActivityParams) =>
  api.get<Page<ActivityLog>>('/activity', { per_page: 50, ...params });

export const getActivityQueryOptions = (params: ActivityParams) =>
  queryOptions({
    queryKey: ['activity', params],
    queryFn: () => getActivity(params),
    placeholderData: keepPreviousData,
  });

export const useActivity = (params: ActivityParams) => useQuery(getActivityQueryOptions(params));
