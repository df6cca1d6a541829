// Live updates: subscribes to /api/v1/events (server-sent events) with a
// one-time ticket from POST /api/v1/events/ticket (EventSource cannot send an
// Authorization header) and invalidates the queries an event touches. A
// server without those routes is tolerated: the hook then does nothing.
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { EventTicket, One } from '@/api/types';
import { api, isStatus } from './api-client';

export type LiveState = 'connecting' | 'live' | 'unavailable' | 'reconnecting';

export const EVENT_TYPES = [
  'snapshot.processed',
  'exposure.opened',
  'exposure.resolved',
  'sla.breached',
  'patch_run.recorded',
] as const;

/** The query-key prefixes each event makes stale. */
export function keysFor(type: string, data: { site_id?: string } = {}): unknown[][] {
  const site = data.site_id ? [['sites', data.site_id]] : [['sites']];
  switch (type) {
    case 'snapshot.processed':
      return [...site, ['sites', 'list'], ['reports'], ['modules']];
    case 'exposure.opened':
    case 'exposure.resolved':
    case 'sla.breached':
      return [...site, ['exposures'], ['reports']];
    case 'patch_run.recorded':
      return [...site, ['reports']];
    default:
      return [['reports']];
  }
}

export function applyEvent(qc: QueryClient, type: string, raw: string) {
  let data: { site_id?: string } = {};
  try {
    const parsed = JSON.parse(raw);
    data = parsed?.data ?? parsed ?? {};
  } catch {
    // a keep-alive or a plain-text event
  }
  for (const key of keysFor(type, data)) qc.invalidateQueries({ queryKey: key });
}

/** POST /events/ticket answers 201 {data: {ticket, expires_at, url}}; the ticket is single use. */
type Ticket = One<EventTicket>;

export function useLiveUpdates(enabled: boolean): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    let es: EventSource | null = null;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;

    const connect = async () => {
      let ticket: string | undefined;
      try {
        const answer = await api.post<Ticket>('/events/ticket');
        ticket = answer?.data?.ticket;
      } catch (err) {
        if (isStatus(err, 404) || isStatus(err, 405)) {
          setState('unavailable');
          return;
        }
      }
      if (stopped) return;
      if (!ticket) return retry();
      es = new EventSource(`/api/v1/events?ticket=${encodeURIComponent(ticket)}`);
      es.onopen = () => {
        failures = 0;
        setState('live');
      };
      const handler = (ev: MessageEvent) => applyEvent(qc, ev.type, ev.data);
      for (const t of EVENT_TYPES) es.addEventListener(t, handler);
      es.onmessage = (ev) => {
        // unnamed events carry their type in the body
        try {
          const t = JSON.parse(ev.data)?.type;
          if (t) applyEvent(qc, t, ev.data);
        } catch {
          /* ignore */
        }
      };
      es.onerror = () => {
        es?.close();
        es = null;
        retry();
      };
    };
    const retry = () => {
      if (stopped) return;
      failures++;
      setState('reconnecting');
      timer = setTimeout(connect, Math.min(30_000, 1000 * 2 ** failures));
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      es?.close();
    };
  }, [enabled, qc]);

  return enabled ? state : 'unavailable';
}
