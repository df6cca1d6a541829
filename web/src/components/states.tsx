import { Alert, Button, Center, Group, Loader, Stack, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { isStatus } from '@/lib/api-client';
import { ApiErrorAlert } from './api-error';

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed">{label}</Text>
      </Group>
    </Center>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack align="center" gap={4} py="xl" ta="center">
      <Text fw={600}>{title}</Text>
      {children && (
        <Text c="dimmed" size="sm" maw={480}>
          {children}
        </Text>
      )}
    </Stack>
  );
}

/** Shown when the route this view needs answers 404: the server is older than the dashboard. */
export function NotAvailable({ what }: { what: string }) {
  return (
    <Alert color="gray" title="Not available on this server yet" role="status">
      {what} is not available on this server yet. It will appear here once the server is updated —
      nothing is wrong with your data.
    </Alert>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Stack gap="xs">
      <ApiErrorAlert error={error} title="Could not load this" />
      {onRetry && (
        <Group>
          <Button variant="light" size="xs" onClick={onRetry}>
            Try again
          </Button>
        </Group>
      )}
    </Stack>
  );
}

interface AsyncProps<T> {
  query: UseQueryResult<T>;
  /** what the view shows, for the "not available yet" message on a 404 */
  what?: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}

/** Loading, error, "not available yet" (404 when `what` is given), empty, or the data. */
export function Async<T>({ query, what, isEmpty, empty, children }: AsyncProps<T>) {
  if (query.isPending) return <LoadingState />;
  if (query.isError) {
    if (what && isStatus(query.error, 404)) return <NotAvailable what={what} />;
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  if (isEmpty?.(query.data)) return <>{empty ?? <EmptyState title="Nothing here yet" />}</>;
  return <>{children(query.data)}</>;
}
