import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Exposure, Page, QueryOf, Severity } from '@/api/types';
import { api } from '@/lib/api-client';

/** An outstanding (or past) security update of one project on one site (GET /exposures). */
export type { Exposure, Severity };

/** The filters GET /exposures documents. */
export type ExposuresParams = QueryOf<'list-exposures'>;

export const getExposures = (params: ExposuresParams) =>
  api.get<Page<Exposure>>('/exposures', { ...params });

export const getExposuresQueryOptions = (params: ExposuresParams) =>
  queryOptions({
    queryKey: ['exposures', 'list', params],
    queryFn: () => getExposures(params),
    placeholderData: keepPreviousData,
  });

export const useExposures = (params: ExposuresParams) => useQuery(getExposuresQueryOptions(params));
