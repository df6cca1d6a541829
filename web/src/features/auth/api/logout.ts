import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { session } from '@/lib/session';

/** Ends the session on the server (best effort) and here. */
export const logout = async (): Promise<void> => {
  try {
    await api.post('/auth/logout');
  } finally {
    session.set(null);
  }
};

export const useLogout = () => {
  const qc = useQueryClient();
  return useMutation({ mutationFn: logout, onSettled: () => qc.clear() });
};
