import { Anchor, type AnchorProps } from '@mantine/core';
import { Link } from 'react-router';

/** A project's or library's name, linked to its page (which sites run it). */
export function ModuleLink({ name, size = 'sm' }: { name: string; size?: AnchorProps['size'] }) {
  return (
    <Anchor component={Link} to={`/modules/${encodeURIComponent(name)}`} size={size}>
      {name}
    </Anchor>
  );
}
