import { queryOptions, useQuery } from '@tanstack/react-query';
import type { APIKey, Page } from '@/api/types';
import { api } from '@/lib/api-client';

export const getSiteApiKeys = (siteId: string) =>
  api.get<Page<APIKey>>(`/sites/${encodeURIComponent(siteId)}/api-keys`, { per_page: 100 });

export const getSiteApiKeysQueryOptions = (siteId: string) =>
  queryOptions({ queryKey: ['sites', siteId, 'api-keys'], queryFn: () => getSiteApiKeys(siteId) });

export const useSiteApiKeys = (siteId: string) => useQuery(getSiteApiKeysQueryOptions(siteId));
