import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** One site running a project (GET /modules/{name}/sites). */
export interface ModuleSite {
  site_id: string;
  site_name?: string;
  site_url?: string;
  organization_id?: string;
  version?: string;
  status?: string;
  update_available?: boolean;
  security_update?: boolean;
  recommended_version?: string;
}

export const getModuleSites = (name: string) =>
  api.get<Page<ModuleSite>>(`/modules/${encodeURIComponent(name)}/sites`, { per_page: 500 });

export const getModuleSitesQueryOptions = (name: string) =>
  queryOptions({ queryKey: ['modules', name, 'sites'], queryFn: () => getModuleSites(name) });

export const useModuleSites = (name: string) => useQuery(getModuleSitesQueryOptions(name));
