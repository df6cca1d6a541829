import {
  Drawer,
  MantineProvider,
  Modal,
  createTheme,
  localStorageColorSchemeManager,
} from '@mantine/core';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { makeQueryClient } from '@/lib/query-client';

export const theme = createTheme({
  primaryColor: 'indigo',
  // Filled buttons keep white text at 4.5:1 in both schemes.
  primaryShade: { light: 8, dark: 8 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  // Black or white text on filled buttons and badges, whichever reads: white
  // only on colours dark enough for 4.5:1 (relative luminance under 0.18).
  autoContrast: true,
  luminanceThreshold: 0.179,
  components: {
    // The close buttons of dialogs and drawers have a name.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
  },
});

/** Light or dark as the system says ("auto"), unless the user picked one with the header's toggle. */
const colorScheme = localStorageColorSchemeManager({ key: 'fleetwatch-color-scheme' });

export function AppProvider({ children, client }: { children: ReactNode; client?: QueryClient }) {
  const [qc] = useState(() => client ?? makeQueryClient());
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorScheme}>
      <QueryClientProvider client={qc}>{children}</QueryClientProvider>
    </MantineProvider>
  );
}
