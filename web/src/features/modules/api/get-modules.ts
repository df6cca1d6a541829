import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Module, Page, QueryOf } from '@/api/types';
import { api } from '@/lib/api-client';

/** One project of the catalog (GET /modules): the sites you can see that run it. */
export type { Module };

export type ModulesParams = QueryOf<'list-modules'>;

export const getModules = (params: ModulesParams) =>
  api.get<Page<Module>>('/modules', { ...params });

export const getModulesQueryOptions = (params: ModulesParams) =>
  queryOptions({ queryKey: ['modules', 'list', params], queryFn: () => getModules(params) });

export const useModules = (params: ModulesParams, enabled = true) =>
  useQuery({ ...getModulesQueryOptions(params), enabled });
