import { Anchor, type AnchorProps } from '@mantine/core';
import type { ReactNode } from 'react';

/** The "opens elsewhere" arrow, drawn inline (no icon font). */
export function ExternalIcon({ size = 12 }: { size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2.2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden
      focusable="false"
      style={{ verticalAlign: '-1px', marginLeft: 3, flexShrink: 0 }}
    >
      <path d="M14 4h6v6" />
      <path d="M20 4 10 14" />
      <path d="M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5" />
    </svg>
  );
}

/**
 * A link to another site, opened in a new tab: its text, or only the icon
 * when children is absent (then label names it).
 */
export function ExternalLink({
  href,
  label,
  children,
  ...props
}: AnchorProps & { href: string; label?: string; children?: ReactNode }) {
  return (
    <Anchor
      href={href}
      target="_blank"
      rel="noreferrer"
      aria-label={children ? undefined : label}
      title={label}
      {...props}
    >
      {children}
      <ExternalIcon />
    </Anchor>
  );
}
