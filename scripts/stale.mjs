// Staleness of build outputs: `npm start` rebuilds what is missing or older than its sources.
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

/** True when `output` (relative to `root`) is missing or older than any file under `sources`. */
export function isStale(root, output, sources) {
  const out = join(root, output);
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  return sources.some((d) => existsSync(join(root, d)) && newest(join(root, d)) > built);
}

/** The widget's dist/ (stamped by build.mjs) against the widget, framework, mini-program and shared sources. */
export function distIsStale(root = '.') {
  return isStale(root, 'dist/.build-stamp', ['src/shared', 'src/widget', 'src/react', 'src/vue', 'src/miniprogram']);
}
