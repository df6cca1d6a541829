import { Button, Divider, Stack } from '@mantine/core';
import { useSignInOptions } from '../api/sso';

/** "Sign in with …" for each enabled identity provider; nothing when there is none. */
export function SsoButtons() {
  const options = useSignInOptions();
  if (!options.data?.length) return null;
  return (
    <Stack gap="xs">
      <Divider label="or" labelPosition="center" />
      {options.data.map((o) => (
        // A full page load: the provider's page is not part of the dashboard.
        <Button key={o.slug} component="a" href={o.sign_in_url} variant="default">
          Sign in with {o.name}
        </Button>
      ))}
    </Stack>
  );
}
