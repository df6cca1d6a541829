import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Exposure, Page } from '@/api/types';
import { api } from '@/lib/api-client';

/** An open security update of the site (GET /exposures?site_id=…&state=open). */
export type SiteExposure = Exposure;

export const getSiteExposures = (siteId: string) =>
  api.get<Page<SiteExposure>>('/exposures', {
    site_id: siteId,
    state: 'open',
    per_page: 500,
    sort: 'due_at',
  });

export const getSiteExposuresQueryOptions = (siteId: string) =>
  queryOptions({
    queryKey: ['exposures', 'site', siteId],
    queryFn: () => getSiteExposures(siteId),
  });

export const useSiteExposures = (siteId: string) => useQuery(getSiteExposuresQueryOptions(siteId));

/** What the site page's header says of its open security updates. */
export interface ExposureSummary {
  open: number;
  pastDue: number;
  /** days since the oldest open one was detected */
  oldestDays?: number;
}

export function summarizeExposures(list: SiteExposure[], now: number): ExposureSummary {
  let pastDue = 0;
  let oldest: number | undefined;
  for (const e of list) {
    if (e.sla_status === 'breached' || (e.due_at && Date.parse(e.due_at) < now)) pastDue++;
    const t = Date.parse(e.detected_at);
    if (!Number.isNaN(t) && (oldest === undefined || t < oldest)) oldest = t;
  }
  return {
    open: list.length,
    pastDue,
    oldestDays: oldest === undefined ? undefined : Math.floor((now - oldest) / 86_400_000),
  };
}
