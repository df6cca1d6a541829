import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** One notification sent (or tried) to the signed-in user (`NotificationDelivery`, by hand). */
export interface NotificationDelivery {
  id: string;
  channel: 'email' | 'webhook';
  /** the event type, or digest */
  kind: string;
  /** the event id, or digest:<day> */
  key: string;
  subject: string;
  /** the e-mail address, or the webhook's host */
  target: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string;
  sent_at: string | null;
  /** when a pending delivery is tried next; null once sent or failed */
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveriesParams {
  page?: number;
  per_page?: number;
  channel?: string;
  status?: string;
}

export const getNotificationDeliveries = (params: DeliveriesParams) =>
  api.get<Page<NotificationDelivery>>('/auth/me/notification-deliveries', {
    per_page: 10,
    ...params,
  });

export const getNotificationDeliveriesQueryOptions = (params: DeliveriesParams) =>
  queryOptions({
    queryKey: ['auth', 'me', 'notification-deliveries', params],
    queryFn: () => getNotificationDeliveries(params),
    placeholderData: keepPreviousData,
  });

export const useNotificationDeliveries = (params: DeliveriesParams) =>
  useQuery(getNotificationDeliveriesQueryOptions(params));
