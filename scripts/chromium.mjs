// Finds Chromium for the browser and end-to-end tests: CHROME_PATH, then /usr/bin/chromium; on a
// Debian machine where it is missing and we are root, installs Debian's `chromium` package.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

/** Flags for headless Chromium here: root needs --no-sandbox; the rest keep it off the (closed) network. */
export const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** The binary the test runners launch (scripts/test.mjs sets CHROME_PATH after findChromium). */
export const chromePath = () => process.env.CHROME_PATH || '/usr/bin/chromium';

export function findChromium({ install = true } = {}) {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (install && root && existsSync('/etc/debian_version')) {
    console.log('Chromium not found: installing Debian package `chromium` with apt-get');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  console.error('Chromium not found: install it (Debian: `sudo apt-get install chromium`) or set CHROME_PATH to its binary.');
  process.exit(1);
}
