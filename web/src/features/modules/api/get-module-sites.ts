import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page, SiteModule } from '@/api/types';
import { api } from '@/lib/api-client';

/** One site running a project (GET /modules/{name}/sites). */
export type ModuleSite = SiteModule;

export const getModuleSites = (name: string) =>
  api.get<Page<ModuleSite>>(`/modules/${encodeURIComponent(name)}/sites`, { per_page: 500 });

export const getModuleSitesQueryOptions = (name: string) =>
  queryOptions({ queryKey: ['modules', name, 'sites'], queryFn: () => getModuleSites(name) });

export const useModuleSites = (name: string) => useQuery(getModuleSitesQueryOptions(name));
