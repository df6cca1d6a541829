import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export const revokeSiteApiKey = ({ siteId, keyId }: { siteId: string; keyId: string }) =>
  api.delete(`/sites/${encodeURIComponent(siteId)}/api-keys/${encodeURIComponent(keyId)}`);

export const useRevokeSiteApiKey = (siteId: string) => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => revokeSiteApiKey({ siteId, keyId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sites', siteId, 'api-keys'] }),
  });
};
