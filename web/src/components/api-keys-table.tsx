import { Badge, Button, Table } from '@mantine/core';
import type { APIKey } from '@/api/types';
import { formatDateTime, formatRelative } from '@/lib/format';

/**
 * Lists API keys (site or integration keys): never their secret, only the
 * prefix that tells them apart, with a Revoke button when onRevoke is given.
 */
export function ApiKeysTable({
  keys,
  label,
  showScope = false,
  onRevoke,
}: {
  keys: APIKey[];
  label: string;
  showScope?: boolean;
  onRevoke?: (key: APIKey) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="xs" aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            {showScope && <Table.Th>Scope</Table.Th>}
            <Table.Th>Prefix</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>State</Table.Th>
            {onRevoke && <Table.Th aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((k) => (
            <Table.Tr key={k.id}>
              <Table.Td>{k.name}</Table.Td>
              {showScope && <Table.Td>{k.scope || '—'}</Table.Td>}
              <Table.Td>
                <code>{k.prefix}…</code>
              </Table.Td>
              <Table.Td>{formatDateTime(k.created_at)}</Table.Td>
              <Table.Td>{k.last_used_at ? formatRelative(k.last_used_at) : 'never'}</Table.Td>
              <Table.Td>
                {k.revoked_at ? (
                  <Badge color="gray.7">Revoked {formatRelative(k.revoked_at)}</Badge>
                ) : (
                  <Badge color="teal.8">Active</Badge>
                )}
              </Table.Td>
              {onRevoke && (
                <Table.Td>
                  {!k.revoked_at && (
                    <Button size="xs" color="red" variant="light" onClick={() => onRevoke(k)}>
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
