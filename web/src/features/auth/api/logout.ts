import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { One, SignOut } from '@/api/types';
import { session } from '@/lib/session';

/**
 * Ends the session on the server (best effort) and here. A session opened
 * through an identity provider that offers sign-out continues there: the
 * browser leaves for the provider, which sends it back to the sign-in page.
 */
export const logout = async (): Promise<void> => {
  let next: string | undefined;
  try {
    next = (await api.post<One<SignOut>>('/auth/sso/logout')).data.redirect_url;
  } finally {
    session.set(null);
  }
  if (next && new URL(next, window.location.href).origin !== window.location.origin) {
    window.location.assign(next);
  }
};

export const useLogout = () => {
  const qc = useQueryClient();
  return useMutation({ mutationFn: logout, onSettled: () => qc.clear() });
};
