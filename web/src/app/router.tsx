import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import { LoadingState } from '@/components/states';
import { SignInPage } from '@/features/auth/components/sign-in-page';
import { EmptyState } from '@/components/states';
import { RequireAuth, RequireRole } from './guards';
import { Layout } from './layout';

// Pages load on demand, so the sign-in page does not wait for the charts.
const page = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) => {
  const Page = lazy(() => load().then((m) => ({ default: m[name] as ComponentType })));
  return (
    <Suspense fallback={<LoadingState />}>
      <Page />
    </Suspense>
  );
};

export const routes = [
  { path: '/sign-in', element: <SignInPage /> },
  {
    path: '/sign-in/sso',
    element: page(() => import('@/features/auth/components/sso-complete-page'), 'SsoCompletePage'),
  },
  {
    path: '/',
    element: (
      <RequireAuth>
        <Layout />
      </RequireAuth>
    ),
    children: [
      {
        index: true,
        element: page(() => import('@/features/overview/components/overview-page'), 'OverviewPage'),
      },
      {
        path: 'security',
        element: page(
          () => import('@/features/exposures/components/exposures-page'),
          'ExposuresPage',
        ),
      },
      {
        path: 'sites',
        element: page(() => import('@/features/sites/components/sites-page'), 'SitesPage'),
      },
      {
        path: 'sites/:id',
        element: page(() => import('@/features/sites/components/site-page'), 'SitePage'),
      },
      {
        path: 'modules',
        element: page(() => import('@/features/modules/components/modules-page'), 'ModulesPage'),
      },
      {
        path: 'updates',
        element: page(() => import('@/features/modules/components/updates-page'), 'UpdatesPage'),
      },
      {
        path: 'modules/:name',
        element: page(() => import('@/features/modules/components/module-page'), 'ModulePage'),
      },
      { path: 'sla', element: page(() => import('@/features/sla/components/sla-page'), 'SlaPage') },
      {
        path: 'account',
        element: page(() => import('@/features/auth/components/account-page'), 'AccountPage'),
      },
      { path: 'admin', element: <Navigate to="/admin/users" replace /> },
      {
        path: 'admin/organizations',
        element: (
          <RequireRole min="org_admin">
            {page(
              () => import('@/features/admin/components/organizations-page'),
              'OrganizationsPage',
            )}
          </RequireRole>
        ),
      },
      {
        path: 'admin/users',
        element: (
          <RequireRole min="org_admin">
            {page(() => import('@/features/admin/components/users-page'), 'UsersPage')}
          </RequireRole>
        ),
      },
      {
        path: 'admin/activity',
        element: (
          <RequireRole min="org_admin">
            {page(() => import('@/features/admin/components/activity-page'), 'ActivityPage')}
          </RequireRole>
        ),
      },
      {
        path: 'admin/identity-providers',
        element: (
          <RequireRole min="admin">
            {page(
              () => import('@/features/admin/components/identity-providers-page'),
              'IdentityProvidersPage',
            )}
          </RequireRole>
        ),
      },
      {
        path: '*',
        element: (
          <EmptyState title="Page not found">
            Check the address, or go back to the overview.
          </EmptyState>
        ),
      },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
