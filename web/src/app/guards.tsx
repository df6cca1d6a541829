import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Role } from '@/api/types';
import { LoadingState } from '@/components/states';
import { EmptyState } from '@/components/states';
import { atLeast, useMe, useSignedIn } from '@/lib/auth';

/** Sends signed-out visitors to the sign-in page, and back here afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const signedIn = useSignedIn();
  const location = useLocation();
  if (!signedIn)
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

/** Shows a page only to roles that may use it. */
export function RequireRole({ min, children }: { min: Role; children: ReactNode }) {
  const me = useMe();
  if (me.isPending) return <LoadingState />;
  if (!atLeast(me.data?.role, min)) {
    return (
      <EmptyState title="Not available to your role">
        Ask an administrator if you need access.
      </EmptyState>
    );
  }
  return <>{children}</>;
}
