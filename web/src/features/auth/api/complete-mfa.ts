import { useMutation } from '@tanstack/react-query';
import type { LoginAnswer, One } from '@/api/types';
import { api, tokensFrom } from '@/lib/api-client';
import { session } from '@/lib/session';

export interface MfaInput {
  mfa_token: string;
  /** a 6-digit TOTP code or an unused backup code */
  code: string;
}

export const completeMfa = async (input: MfaInput): Promise<void> => {
  const answer = await api.request<One<LoginAnswer>>('/auth/mfa', {
    method: 'POST',
    body: input,
    anonymous: true,
  });
  session.set(tokensFrom(answer.data));
};

export const useCompleteMfa = () => useMutation({ mutationFn: completeMfa });
