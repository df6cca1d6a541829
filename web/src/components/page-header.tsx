import { Group, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReactNode } from 'react';

/** A page's heading; it names the browser tab too ("Sites · Fleetwatch"). */
export function PageHeader({
  title,
  tabTitle,
  description,
  actions,
}: {
  title: ReactNode;
  /** the tab's name when title is not plain text */
  tabTitle?: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  const name = tabTitle ?? (typeof title === 'string' ? title : '');
  useDocumentTitle(name ? `${name} · Fleetwatch` : 'Fleetwatch');
  return (
    <Group justify="space-between" align="flex-end" mb="md" wrap="wrap">
      <Stack gap={2}>
        <Title order={1} size="h2">
          {title}
        </Title>
        {description && <Text c="dimmed">{description}</Text>}
      </Stack>
      {actions && <Group gap="xs">{actions}</Group>}
    </Group>
  );
}
