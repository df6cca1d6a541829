import { Autocomplete } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuickSearch } from '../api/quick-search';

/**
 * The header's search: type part of a site's name or address, or of a project's
 * machine name, and pick one to open it. Enter on text that matches nothing opens
 * the Modules page searched for it, which says when no site you can see runs it.
 */
export function QuickSearch() {
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 200);
  const results = useQuickSearch(q);
  const data =
    q.length >= 2 && results.data
      ? [
          {
            group: 'Sites',
            items: results.data.sites.map((s) => ({
              value: `site:${s.id}`,
              label: `${s.name || s.url}  ·  ${s.url}`,
            })),
          },
          {
            group: 'Modules',
            items: results.data.modules.map((m) => ({
              value: `module:${m.name}`,
              label: `${m.name}  ·  ${m.sites_count} ${m.sites_count === 1 ? 'site' : 'sites'}`,
            })),
          },
        ].filter((g) => g.items.length > 0)
      : [];
  if (q.length >= 2 && results.data && !data.length) {
    data.push({
      group: 'No match',
      items: [{ value: `none:${q}`, label: `No site or module you can see matches '${q}'` }],
    });
  }
  const open = (value: string) => {
    setText('');
    if (value.startsWith('site:')) navigate(`/sites/${value.slice(5)}`);
    else if (value.startsWith('module:'))
      navigate(`/modules/${encodeURIComponent(value.slice(7))}`);
    else if (value.startsWith('none:'))
      navigate(`/modules?q=${encodeURIComponent(value.slice(5))}`);
  };
  return (
    <Autocomplete
      aria-label="Search sites and modules"
      placeholder="Search sites and modules"
      size="xs"
      w={{ base: 160, sm: 280 }}
      value={text}
      onChange={setText}
      data={data}
      filter={({ options }) => options}
      onOptionSubmit={open}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && text.trim() && !data.length) {
          navigate(`/modules?q=${encodeURIComponent(text.trim())}`);
          setText('');
        }
      }}
      limit={12}
    />
  );
}
