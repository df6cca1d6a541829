import { Alert, List, Text } from '@mantine/core';
import { ApiError } from '@/lib/api-client';

/** An API error in words: each error's detail, with the field it is about. */
export function ApiErrorAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const heading = title ?? 'Something went wrong';
  if (!(error instanceof ApiError)) {
    return (
      <Alert color="red" title={heading} role="alert">
        {error instanceof Error ? error.message : String(error)}
      </Alert>
    );
  }
  const items = error.errors.length
    ? error.errors
    : [{ status: String(error.status), code: '', title: error.message, detail: error.message }];
  return (
    <Alert color="red" title={heading} role="alert">
      {items.length === 1 && !fieldOf(items[0]) ? (
        <Text size="sm">{items[0].detail || items[0].title}</Text>
      ) : (
        <List size="sm">
          {items.map((e, i) => (
            <List.Item key={i}>
              {fieldOf(e) && <strong>{fieldOf(e)}: </strong>}
              {e.detail || e.title}
            </List.Item>
          ))}
        </List>
      )}
      {error.status === 0 && (
        <Text size="sm">The server could not be reached. Check your connection and try again.</Text>
      )}
      {error.requestId && (
        <Text size="xs" c="dimmed" mt={4}>
          Request id: {error.requestId}
        </Text>
      )}
    </Alert>
  );
}

function fieldOf(e: { source?: unknown }): string | undefined {
  const src = e.source as { pointer?: string; parameter?: string } | null | undefined;
  const p = src?.pointer ?? src?.parameter;
  return p ? p.replace(/^\/(body\/)?/, '').replace(/\//g, '.') : undefined;
}
