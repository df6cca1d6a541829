import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BackupCodes, One, TOTPSetup } from '@/api/types';
import { api } from '@/lib/api-client';
import { meQueryOptions } from '@/lib/auth';

export const setupTwoFactor = async (): Promise<TOTPSetup> =>
  (await api.post<One<TOTPSetup>>('/auth/2fa/setup')).data;

export const enableTwoFactor = async (code: string): Promise<string[]> =>
  (await api.post<One<BackupCodes>>('/auth/2fa/enable', { code })).data.backup_codes ?? [];

export const disableTwoFactor = (input: { password: string; code: string }) =>
  api.post<void>('/auth/2fa/disable', input);

export const regenerateBackupCodes = async (code: string): Promise<string[]> =>
  (await api.post<One<BackupCodes>>('/auth/2fa/backup-codes', { code })).data.backup_codes ?? [];

export const useSetupTwoFactor = () => useMutation({ mutationFn: setupTwoFactor });

export const useEnableTwoFactor = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: enableTwoFactor,
    onSuccess: () => qc.invalidateQueries({ queryKey: meQueryOptions().queryKey }),
  });
};

export const useDisableTwoFactor = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: disableTwoFactor,
    onSuccess: () => qc.invalidateQueries({ queryKey: meQueryOptions().queryKey }),
  });
};

export const useRegenerateBackupCodes = () => useMutation({ mutationFn: regenerateBackupCodes });
