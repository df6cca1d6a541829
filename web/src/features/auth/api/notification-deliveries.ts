import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { NotificationDelivery, Page, QueryOf } from '@/api/types';
import { api } from '@/lib/api-client';

export type { NotificationDelivery };

export type DeliveriesParams = QueryOf<'list-notification-deliveries'>;

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
