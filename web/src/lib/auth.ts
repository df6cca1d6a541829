// The signed-in user and what their role may see. Shared by every feature
// (like bulletproof-react's lib/auth), so features need not import one another.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import type { One, Role, User } from '@/api/types';
import { api } from './api-client';
import { session } from './session';

export const getMe = async (): Promise<User> => (await api.get<One<User>>('/auth/me')).data;

export const meQueryOptions = () =>
  queryOptions({ queryKey: ['auth', 'me'], queryFn: getMe, staleTime: 60_000 });

/** The signed-in user; disabled while signed out. */
export const useMe = () => {
  const signedIn = useSignedIn();
  return useQuery({ ...meQueryOptions(), enabled: signedIn });
};

export const useSignedIn = () =>
  useSyncExternalStore(session.subscribe, () => session.get() !== null);

const rank: Record<Role, number> = { viewer: 0, member: 1, org_admin: 2, admin: 3 };

/** True when role is at least min. */
export function atLeast(role: string | undefined, min: Role): boolean {
  if (!role || !(role in rank)) return false;
  return rank[role as Role] >= rank[min];
}

/** Every role, from the most to the least powerful. */
export const roles: readonly Role[] = ['admin', 'org_admin', 'member', 'viewer'];

export const roleLabels: Record<Role, string> = {
  admin: 'Administrator',
  org_admin: 'Organization admin',
  member: 'Member',
  viewer: 'Viewer',
};
