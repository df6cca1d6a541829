import { Button } from '@mantine/core';
import { useState } from 'react';
import { api, type Query } from '@/lib/api-client';
import { ApiErrorAlert } from './api-error';

/** Exports a report table as CSV: the same route with `Accept: text/csv`. */
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
  return (
    <>
      <Button
        variant="default"
        size="xs"
        loading={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await api.downloadCSV(path, query, filename);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        Export CSV
      </Button>
      {error ? <ApiErrorAlert error={error} title="Export failed" /> : null}
    </>
  );
}
