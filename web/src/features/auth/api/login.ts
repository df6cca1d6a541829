import { useMutation } from '@tanstack/react-query';
import type { LoginAnswer, LoginBody, One } from '@/api/types';
import { api, tokensFrom } from '@/lib/api-client';
import { session } from '@/lib/session';

export type LoginInput = LoginBody;

/** Signs in; answers the MFA token when the account has 2FA, else stores the tokens. */
export const login = async (input: LoginInput): Promise<{ mfaToken?: string }> => {
  const answer = await api.request<One<LoginAnswer>>('/auth/login', {
    method: 'POST',
    body: input,
    anonymous: true,
  });
  if (answer.data.mfa_required) return { mfaToken: answer.data.mfa_token };
  session.set(tokensFrom(answer.data));
  return {};
};

export const useLogin = () => useMutation({ mutationFn: login });
