import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { api, type CsvExport, type Query } from '@/lib/api-client';
import { ApiErrorAlert } from './api-error';

/** What an export says once it is saved: how many rows, and whether the limit cut it short. */
export function exportMessage(x: CsvExport): string {
  if (x.rows === undefined) return 'Exported';
  const rows = `Exported ${x.rows.toLocaleString('en')} ${x.rows === 1 ? 'row' : 'rows'}`;
  if (!x.truncated || x.total === undefined) return rows;
  return `${rows} of ${x.total.toLocaleString('en')}: an export holds at most ${(x.limit ?? x.rows).toLocaleString('en')} rows; narrow the filters for the rest`;
}

/**
 * Exports a list as CSV: the same route and filters with `format=csv`. The server
 * answers every matching row, not one page, so the query carries the filters only.
 */
export function CsvButton({
  path,
  query,
  filename,
}: {
  path: string;
  query?: Query;
  filename: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<CsvExport | null>(null);
  return (
    <>
      <Group gap="xs" wrap="nowrap">
        {done && (
          <Text size="xs" c={done.truncated ? 'orange.9' : 'dimmed'} role="status">
            {exportMessage(done)}
          </Text>
        )}
        <Button
          variant="default"
          size="xs"
          loading={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            setDone(null);
            try {
              setDone(await api.downloadCSV(path, query, filename));
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          Export CSV
        </Button>
      </Group>
      {error ? <ApiErrorAlert error={error} title="Export failed" /> : null}
    </>
  );
}
