// Filters, sort and page live in the URL so every view can be linked.
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export interface ListParams {
  page: number;
  perPage: number;
  sort: string;
  q: string;
}

export function useListParams(defaults: { sort?: string; perPage?: number } = {}) {
  const [params, setParams] = useSearchParams();
  const list: ListParams = {
    page: Math.max(1, Number(params.get('page')) || 1),
    perPage: Number(params.get('per_page')) || defaults.perPage || 25,
    sort: params.get('sort') ?? defaults.sort ?? '',
    q: params.get('q') ?? '',
  };
  const get = useCallback((name: string) => params.get(name) ?? '', [params]);

  /** Sets (or, with '' / undefined, removes) parameters; any change but the page goes back to page 1. */
  const update = useCallback(
    (patch: Record<string, string | number | undefined>) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch)) {
            if (v === undefined || v === '') next.delete(k);
            else next.set(k, String(v));
          }
          if (!('page' in patch)) next.delete('page');
          return next;
        },
        { replace: false },
      );
    },
    [setParams],
  );

  /** Clicking a column: ascending, then descending, for that field. */
  const toggleSort = useCallback(
    (field: string) => {
      const current = params.get('sort') ?? defaults.sort ?? '';
      update({ sort: current === field ? `-${field}` : field });
    },
    [params, defaults.sort, update],
  );

  return { ...list, get, update, toggleSort };
}

/** value when it is one of allowed (an enum of the API), else undefined. */
export function oneOf<T extends string>(value: string | null | undefined, allowed: readonly T[]) {
  return allowed.includes(value as T) ? (value as T) : undefined;
}

/** The direction a column is sorted in by sort (`name`, `-name`), if any. */
export function sortDirection(sort: string, field: string): 'ascending' | 'descending' | 'none' {
  const first = sort.split(',')[0];
  if (first === field) return 'ascending';
  if (first === `-${field}`) return 'descending';
  return 'none';
}
