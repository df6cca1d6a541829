import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  NotificationChannel,
  NotificationChannels,
  NotificationPreferences,
  NotificationTest,
  One,
  Severity,
  WebhookChannel,
} from '@/api/types';
import { api } from '@/lib/api-client';

export type MinSeverity = Severity;
export type { NotificationChannel, NotificationPreferences, WebhookChannel };

const path = '/auth/me/notification-preferences';

export const getNotificationPreferences = async () =>
  (await api.get<One<NotificationPreferences>>(path)).data;

export const getNotificationPreferencesQueryOptions = () =>
  queryOptions({
    queryKey: ['auth', 'me', 'notification-preferences'],
    queryFn: getNotificationPreferences,
  });

export const useNotificationPreferences = () => useQuery(getNotificationPreferencesQueryOptions());

export const putNotificationPreferences = async (body: NotificationPreferences) =>
  (await api.put<One<NotificationPreferences>>(path, body)).data;

export const usePutNotificationPreferences = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: putNotificationPreferences,
    onSuccess: (prefs) => qc.setQueryData(getNotificationPreferencesQueryOptions().queryKey, prefs),
  });
};

/** Which channels this server can send on (no mail server: no e-mail). */
export const useNotificationChannels = () =>
  useQuery({
    queryKey: ['auth', 'me', 'notification-channels'],
    queryFn: async () =>
      (await api.get<One<NotificationChannels>>('/auth/me/notification-channels')).data,
    staleTime: 5 * 60_000,
  });

/** Sends the signed-in user a test notification on one channel, now. */
export const useSendTestNotification = () =>
  useMutation({
    mutationFn: async (channel: NotificationTest['channel']) =>
      (await api.post<One<NotificationTest>>('/auth/me/notification-test', { channel })).data,
  });
