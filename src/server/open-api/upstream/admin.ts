// `npm run admin -- upstream set-token | status`: this server's credential at the upstream Bytedesk.
// The tokens are read from SHOP_CHAT_UPSTREAM_ACCESS_TOKEN / SHOP_CHAT_UPSTREAM_REFRESH_TOKEN, else
// from stdin (the access token on the first line, the refresh token, if any, on the second), never
// from the command line (which `ps` and shell histories show). Nothing prints a token.
import { createInterface } from 'node:readline';
import type { UpstreamCredential } from './credential.ts';

export const UPSTREAM_USAGE = `       npm run admin -- upstream set-token [--expires-at ISO]   (tokens from the environment or stdin)
       npm run admin -- upstream status`;

async function readStdinLines(max: number): Promise<string[]> {
  if (process.stdin.isTTY) process.stderr.write('upstream access token, then the refresh token (an empty line for none):\n');
  const lines: string[] = [];
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    lines.push(line.trim());
    if (lines.length >= max) break;
  }
  rl.close();
  return lines;
}

/** Runs one `upstream …` action; the exit code. */
export async function upstreamAdmin(
  action: string | undefined,
  credential: UpstreamCredential,
  o: { expiresAt?: string | undefined; env: NodeJS.ProcessEnv; out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  if (action === 'status') {
    o.out(JSON.stringify(await credential.status(), null, 2));
    return 0;
  }
  if (action !== 'set-token') {
    o.err(UPSTREAM_USAGE.trim());
    return 2;
  }
  let access = o.env.SHOP_CHAT_UPSTREAM_ACCESS_TOKEN?.trim();
  let refresh = o.env.SHOP_CHAT_UPSTREAM_REFRESH_TOKEN?.trim();
  if (!access) [access, refresh] = await readStdinLines(2);
  if (!access || /\s/.test(access) || (refresh && /\s/.test(refresh))) {
    o.err('upstream set-token: an access token is required (SHOP_CHAT_UPSTREAM_ACCESS_TOKEN, or the first line of stdin)');
    return 2;
  }
  let expiresAt: number | null = null;
  if (o.expiresAt !== undefined) {
    expiresAt = Date.parse(o.expiresAt);
    if (Number.isNaN(expiresAt)) {
      o.err('--expires-at must be an ISO 8601 date-time');
      return 2;
    }
  }
  await credential.set(access, refresh || undefined, expiresAt);
  o.out(JSON.stringify(await credential.status(), null, 2));
  return 0;
}
