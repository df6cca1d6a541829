import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreatedAPIKey, One } from '@/api/types';
import { api } from '@/lib/api-client';

/** Creates a site key; the answer's `key` is the only time the secret is shown. */
export const createSiteApiKey = async ({ siteId, name }: { siteId: string; name: string }) =>
  (await api.post<One<CreatedAPIKey>>(`/sites/${encodeURIComponent(siteId)}/api-keys`, { name }))
    .data;

export const useCreateSiteApiKey = (siteId: string) => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => createSiteApiKey({ siteId, name }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sites', siteId, 'api-keys'] }),
  });
};
