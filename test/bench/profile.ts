// Profiling aid (not part of `npm run bench`): starts the server child with `--cpu-prof`, drives one
// scenario with autocannon, stops the child and prints the top self-time functions of the profile.
//   node --import tsx test/bench/profile.ts [config|binding|onboard|seats] [seconds] [sqlite|pg]
// Prints req/s, latency and the server's CPU time per request (from /proc, steadier than req/s on a
// shared machine). Knobs (environment):
//   BASE=1          also the bare-Fastify baseline, measured right after, and the ratios
//   NOPROF=1        no profiler (plain figures)       WINDOW=a,b  profile samples a…b s before the end only
//   TOP=N           lines of the profile              KEEP_PROFILE=1  keep the .cpuprofile
//   NODE_ARGS=…     extra node flags of the server (e.g. --trace-gc, with SHOWLOG=1 to print its output)
//   SNAPSHOT_AT=ms  SIGUSR2 to the server that long into the run (with NODE_ARGS=--heapsnapshot-signal=SIGUSR2)
//   PROFILE_ENV='{"K":"V"}'  extra environment of the server
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { printProfile } from './cpuprofile.ts';
import { BASELINE_ARGS, freePort, serverArgs, startChild } from './lib.ts';
import { ADMIN, createPgDatabase, seedShop, serverEnv } from './server.ts';

const scenario = process.argv[2] ?? 'binding';
const seconds = Number(process.argv[3] ?? 5);
const dbKind = process.argv[4] ?? 'sqlite';
const dir = mkdtempSync(join(tmpdir(), 'shop-chat-prof-'));
// PostgreSQL: a database of its own, dropped at the end (never the tests' shared `test` database).
const pgDb = dbKind === 'pg' ? await createPgDatabase() : null;
if (dbKind === 'pg' && !pgDb) process.exit(1);
const dbUrl = pgDb ? pgDb.url : `sqlite:${join(dir, 'p.db')}`;
const child = await startChild(
  [...(process.env.NOPROF ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`]), ...(process.env.NODE_ARGS ?? '').split(' ').filter(Boolean), ...(await serverArgs())],
  serverEnv(dbUrl, process.env.PROFILE_ENV ? JSON.parse(process.env.PROFILE_ENV) : {}),
  await freePort(),
);
const shop = `prof_${Date.now().toString(36)}`;
const { token } = await seedShop(child.url, shop, '13800000001');
let i = 0;
const opts: autocannon.Options =
  scenario === 'config'
    ? { url: `${child.url}/api/v1/shop/widget/config?shopUid=${shop}` }
    : scenario === 'binding'
      ? { url: `${child.url}/api/v1/shop/open/binding?shopUid=${shop}`, headers: { authorization: `Bearer ${token}` } }
      : scenario === 'seats'
        ? {
            url: `${child.url}/api/v1/shop/open/agent-seat/query`,
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ shopUid: shop, pageNumber: 0, pageSize: 20 }),
          }
        : {
            url: child.url,
            requests: [
              {
                method: 'POST',
                path: '/api/v1/shop/open/onboard',
                headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
                setupRequest: (req) => {
                  const n = i++;
                  return { ...req, body: JSON.stringify({ mobile: `139${String(n).padStart(8, '0')}`, shopUid: `p_${shop}_${n}`, shopName: `s ${n}` }) };
                },
              },
            ],
          };
/** CPU time (user + system) of a process so far, microseconds (Linux /proc). */
function cpuMicros(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime + stime, in clock ticks (100/s)
}
// warm-up, then the measured run
await new Promise((r) => autocannon({ ...opts, connections: 100, duration: 1 }, r));
const cpu0 = cpuMicros(child.proc.pid!);
// SNAPSHOT_AT=ms: SIGUSR2 to the server (run it with NODE_ARGS=--heapsnapshot-signal=SIGUSR2) during the run
if (process.env.SNAPSHOT_AT) setTimeout(() => child.proc.kill('SIGUSR2'), Number(process.env.SNAPSHOT_AT));
const res: any = await new Promise((r, j) => autocannon({ ...opts, connections: Number(process.env.CONNS ?? 100), duration: seconds }, (e, x) => (e ? j(e) : r(x))));
const cpuPerReq = (cpuMicros(child.proc.pid!) - cpu0) / res.requests.total;
let ratio = '';
if (process.env.BASE) {
  // the bench's baseline (bare Fastify `{}`), measured right after, for a ratio on a noisy machine
  const base = await startChild(BASELINE_ARGS, {}, await freePort());
  await new Promise((r) => autocannon({ url: `${base.url}/baseline`, connections: 100, duration: 1 }, r));
  const bcpu0 = cpuMicros(base.proc.pid!);
  const b: any = await new Promise((r, j) => autocannon({ url: `${base.url}/baseline`, connections: 100, duration: seconds }, (e, x) => (e ? j(e) : r(x))));
  const bcpu = (cpuMicros(base.proc.pid!) - bcpu0) / b.requests.total;
  await base.stop();
  ratio = `, baseline ${Math.round(b.requests.average)} req/s → ${(res.requests.average / b.requests.average).toFixed(2)}×; CPU/request ${bcpu.toFixed(0)} µs baseline → ${(bcpu / cpuPerReq).toFixed(2)}×`;
}
console.log(`${scenario}: ${Math.round(res.requests.average)} req/s, p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, non2xx ${res.non2xx}, errors ${res.errors}, server CPU ${cpuPerReq.toFixed(0)} µs/request${ratio}`);
await child.stop();
await pgDb?.drop();
if (process.env.SHOWLOG) console.log(child.log());

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (file) printProfile(join(dir, file));
if (file && process.env.KEEP_PROFILE) console.log(`profile: ${join(dir, file)}`);
else rmSync(dir, { recursive: true, force: true });
