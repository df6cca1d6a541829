import { Button, Code, CopyButton, Group } from '@mantine/core';

/** A secret or code shown in full with a copy button. */
export function CopyField({ value, label }: { value: string; label: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="center">
      <Code
        block
        style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
        aria-label={label}
      >
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button
            size="xs"
            variant={copied ? 'filled' : 'light'}
            color={copied ? 'teal' : undefined}
            onClick={copy}
          >
            {copied ? 'Copied' : `Copy`}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
