import {
  AppShell,
  Badge,
  Box,
  Burger,
  Button,
  Group,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, NavLink as RouterNavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useLogout } from '@/features/auth/api/logout';
import { QuickSearch } from '@/features/search/components/quick-search';
import { atLeast, roleLabels, useMe } from '@/lib/auth';
import { useLiveUpdates, type LiveState } from '@/lib/events';
import type { Role } from '@/api/types';

const liveInfo: Record<LiveState, { label: string; color: string; hint: string }> = {
  live: { label: 'Live', color: 'teal.8', hint: 'Pages update as sites push.' },
  connecting: { label: 'Connecting', color: 'gray.7', hint: 'Connecting to live updates…' },
  reconnecting: {
    label: 'Reconnecting',
    color: 'orange.8',
    hint: 'Live updates were interrupted; retrying.',
  },
  unavailable: {
    label: 'Not live',
    color: 'gray.7',
    hint: 'This server does not push live updates yet; pages refresh when you return to them.',
  },
};

/** Switches between light and dark; the system's setting applies until it is used. */
function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light');
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Button
      variant="default"
      size="xs"
      onClick={() => setColorScheme(next)}
      aria-pressed={computed === 'dark'}
    >
      Dark mode
    </Button>
  );
}

export function Layout() {
  const [opened, { toggle, close }] = useDisclosure();
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const location = useLocation();
  const live = useLiveUpdates(true);
  const role = me.data?.role;

  const links: { to: string; label: string; show: boolean }[] = [
    { to: '/', label: 'Overview', show: true },
    { to: '/security', label: 'Security updates', show: true },
    { to: '/sites', label: 'Sites', show: true },
    { to: '/modules', label: 'Modules', show: true },
    { to: '/sla', label: 'SLA', show: true },
    { to: '/admin/organizations', label: 'Organizations', show: atLeast(role, 'org_admin') },
    { to: '/admin/users', label: 'Users', show: atLeast(role, 'org_admin') },
    { to: '/admin/activity', label: 'Activity', show: atLeast(role, 'org_admin') },
    { to: '/admin/identity-providers', label: 'Single sign-on', show: role === 'admin' },
    { to: '/account', label: 'Your account', show: true },
  ];
  const isActive = (to: string) =>
    to === '/' ? location.pathname === '/' : location.pathname.startsWith(to);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Text component={Link} to="/" fw={700} fz="lg" td="none" c="inherit">
              Fleetwatch
            </Text>
            <Tooltip label={liveInfo[live].hint}>
              <Badge variant="dot" color={liveInfo[live].color} visibleFrom="xs">
                {liveInfo[live].label}
              </Badge>
            </Tooltip>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Box visibleFrom="sm">
              <QuickSearch />
            </Box>
            {me.data && (
              <Text size="sm" visibleFrom="sm" c="dimmed">
                {me.data.email} · {roleLabels[me.data.role as Role] ?? me.data.role}
              </Text>
            )}
            <Box visibleFrom="sm">
              <ColorSchemeToggle />
            </Box>
            <Button
              variant="default"
              size="xs"
              loading={logout.isPending}
              onClick={() =>
                logout.mutate(undefined, {
                  onSettled: () => navigate('/sign-in', { replace: true }),
                })
              }
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <ScrollArea>
          {/* On phones the header has no room: search and the scheme toggle live here. */}
          <Stack gap="xs" mb="xs" hiddenFrom="sm">
            <QuickSearch />
            <ColorSchemeToggle />
          </Stack>
          <Stack gap={2}>
            {links
              .filter((l) => l.show)
              .map((l) => (
                <NavLink
                  key={l.to}
                  component={RouterNavLink}
                  to={l.to}
                  label={l.label}
                  active={isActive(l.to)}
                  onClick={close}
                />
              ))}
          </Stack>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
