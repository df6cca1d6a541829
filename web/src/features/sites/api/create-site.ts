import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { One, Site, SiteBody } from '@/api/types';
import { api } from '@/lib/api-client';

export const createSite = async (body: SiteBody): Promise<Site> =>
  (await api.post<One<Site>>('/sites', body)).data;

export const useCreateSite = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createSite,
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sites', 'list'] }),
  });
};
