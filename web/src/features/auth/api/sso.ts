import { queryOptions, useMutation, useQuery } from '@tanstack/react-query';
import type { LoginAnswer, One, SignInOption } from '@/api/types';
import { api, tokensFrom } from '@/lib/api-client';
import { session } from '@/lib/session';

/** The identity providers the sign-in page offers a button for. */
export const getSignInOptions = async () =>
  (await api.request<One<SignInOption[]>>('/auth/sso/providers', { anonymous: true })).data;

export const signInOptionsQueryOptions = () =>
  queryOptions({ queryKey: ['sso', 'options'], queryFn: getSignInOptions, staleTime: 60_000 });

export const useSignInOptions = () => useQuery(signInOptionsQueryOptions());

/**
 * Trades the single sign-on token the server put in the address for the
 * session's tokens; answers the MFA token when 2FA is still to be asked.
 */
export const completeSso = async (token: string): Promise<{ mfaToken?: string }> => {
  const answer = await api.request<One<LoginAnswer>>('/auth/sso/complete', {
    method: 'POST',
    body: { token },
    anonymous: true,
  });
  if (answer.data.mfa_required) return { mfaToken: answer.data.mfa_token };
  session.set(tokensFrom(answer.data));
  return {};
};

export const useCompleteSso = () => useMutation({ mutationFn: completeSso });
