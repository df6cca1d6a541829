// Empties ../webui/dist before a build, keeping the committed placeholder
// page that a binary built without Node serves.
import { readdirSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../../webui/dist');
const keep = new Set(['placeholder.html']);
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(dist)) {
  if (!keep.has(name)) rmSync(resolve(dist, name), { recursive: true, force: true });
}
