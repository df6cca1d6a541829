import { useMutation } from '@tanstack/react-query';
import type { PasswordBody } from '@/api/types';
import { api } from '@/lib/api-client';

export type PasswordInput = PasswordBody;

export const changePassword = (input: PasswordInput) => api.put<void>('/auth/password', input);

export const useChangePassword = () => useMutation({ mutationFn: changePassword });
