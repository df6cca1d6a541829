import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { One } from '@/api/types';
import { api } from '@/lib/api-client';

export type MinSeverity =
  'highly_critical' | 'critical' | 'moderately_critical' | 'less_critical' | 'not_critical';

/**
 * GET/PUT /auth/me/notification-preferences (`NotificationPreferences`).
 * Copied by hand from the OpenAPI document of a running server: the route is
 * not in the generated schema.d.ts yet (the notifier is optional there).
 */
export interface NotificationChannel {
  enabled?: boolean;
  min_severity?: MinSeverity;
  sla_breach?: boolean;
  daily_digest?: boolean;
}

export interface WebhookChannel extends NotificationChannel {
  url?: string;
  /** signs each delivery (X-Fleetwatch-Signature: sha256=…) */
  secret?: string;
}

export interface NotificationPreferences {
  email?: NotificationChannel;
  webhook?: WebhookChannel;
}

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
