// True when dist/ is missing or older than any widget/shared source: `npm start` builds first then.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function distIsStale(root = '.') {
  const stamp = join(root, 'dist/.build-stamp');
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return ['src/shared', 'src/widget'].some((d) => existsSync(join(root, d)) && newest(join(root, d)) > built);
}
