import type { Column } from '@/components/data-table';
import { useMe } from '@/lib/auth';
import { useOrganizationFilter } from '@/lib/organizations';

/**
 * The Organization column of a table that mixes organizations: an admin sees
 * every organization's rows, so each row says whose; anyone else sees one
 * organization's and gets no column (and no request for the names).
 */
export function useOrganizationColumn<T>(
  organizationId: (row: T) => string | undefined,
  width?: string,
): Column<T>[] {
  const admin = useMe().data?.role === 'admin';
  const orgs = useOrganizationFilter({ enabled: admin });
  if (!admin) return [];
  const names = new Map((orgs.data?.data ?? []).map((o) => [o.id, o.name]));
  const name = (r: T) => names.get(organizationId(r) ?? '') ?? '—';
  return [{ key: 'organization', header: 'Organization', width, title: name, render: name }];
}
