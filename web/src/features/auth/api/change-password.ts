import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export interface PasswordInput {
  current_password: string;
  new_password: string;
}

export const changePassword = (input: PasswordInput) => api.put<void>('/auth/password', input);

export const useChangePassword = () => useMutation({ mutationFn: changePassword });
