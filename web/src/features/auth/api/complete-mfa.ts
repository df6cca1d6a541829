import { useMutation } from '@tanstack/react-query';
import type { LoginAnswer, MfaBody, One } from '@/api/types';
import { api, tokensFrom } from '@/lib/api-client';
import { session } from '@/lib/session';

export type MfaInput = MfaBody;

export const completeMfa = async (input: MfaInput): Promise<void> => {
  const answer = await api.request<One<LoginAnswer>>('/auth/mfa', {
    method: 'POST',
    body: input,
    anonymous: true,
  });
  session.set(tokensFrom(answer.data));
};

export const useCompleteMfa = () => useMutation({ mutationFn: completeMfa });
