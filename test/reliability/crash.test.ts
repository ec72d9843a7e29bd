// Crash: a server child (the compiled server of `npm start`, on SQLite) under concurrent onboard + seat writes is
// killed with SIGKILL at a random moment, five rounds, restarted each time. Every write answered 200
// is present afterwards, no shop lacks its organisation, base seat or workgroup, and
// PRAGMA integrity_check is ok.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { freePort, serverArgs, startChild, type Child } from '../bench/lib.ts';
import { ADMIN, RUN_DIR, testEnv } from './helpers.ts';

const ROUNDS = 5;
const WORKERS = 24;

async function post(base: string, path: string, body: unknown): Promise<number> {
  try {
    const r = await fetch(base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await r.text();
    return r.status;
  } catch {
    return 0; // connection reset by the kill: not acknowledged
  }
}

test(`SIGKILL during concurrent onboard + seat writes, ${ROUNDS} rounds: acknowledged writes survive, invariants hold`, { timeout: 5 * 60_000 }, async () => {
  const dir = mkdtempSync(join(RUN_DIR, 'db', 'crash-'));
  const dbFile = join(dir, 'shop-chat.db');
  const logFile = join(RUN_DIR, 'logs', `crash-${process.pid}.log`);
  const ackShops: string[] = [];
  const ackSeats: { shopUid: string; seatNo: string }[] = [];
  let acked = 0;
  let refused = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const child: Child = await startChild(await serverArgs(), testEnv(`sqlite:${dbFile}`, { LOG_LEVEL: 'info' }), await freePort());
    let stop = false;
    let k = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const useSeat = ackShops.length > 0 && Math.random() < 0.5;
        if (useSeat) {
          const shopUid = ackShops[Math.floor(Math.random() * ackShops.length)]!;
          const seatNo = `${shopUid}-extra-r${round}w${w}n${k++}`;
          const s = await post(child.url, '/api/v1/shop/open/agent-seat/create', { shopUid, seatNoList: [seatNo], expireAt: '2030-01-01T00:00:00+08:00' });
          if (s === 200) {
            ackSeats.push({ shopUid, seatNo });
            acked++;
          } else if (s !== 0) refused++;
        } else {
          const shopUid = `crash_r${round}_w${w}_${k++}`;
          const s = await post(child.url, '/api/v1/shop/open/onboard', { mobile: `137${String(round * 1e6 + w * 1e4 + k).padStart(8, '0')}`, shopUid, shopName: `崩溃 ${shopUid}`, shopLogo: 'https://example.com/l.png' });
          if (s === 200) {
            ackShops.push(shopUid);
            acked++;
          } else if (s !== 0) refused++;
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 400 + Math.random() * 1600));
    child.proc.kill('SIGKILL');
    await new Promise((r) => child.proc.once('exit', r));
    stop = true;
    await Promise.all(workers);
    appendFileSync(logFile, child.log());
  }
  assert.ok(ackShops.length >= ROUNDS, `too few acknowledged onboards (${ackShops.length}) — the load did not run`);
  assert.equal(refused, 0, `${refused} writes were refused with a non-200 status before the kill`);

  // Restart once more: migrations on the crashed file, and the API must answer for every acknowledged shop.
  const child = await startChild(await serverArgs(), testEnv(`sqlite:${dbFile}`, { LOG_LEVEL: 'info' }), await freePort());
  try {
    const sample = [...ackShops].sort(() => Math.random() - 0.5).slice(0, 50);
    for (const shopUid of sample) {
      const r = await fetch(`${child.url}/api/v1/shop/open/binding?shopUid=${shopUid}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      const j = (await r.json()) as any;
      assert.equal(r.status, 200, `acknowledged shop ${shopUid} missing after restart`);
      assert.ok(j.data.shop.workgroups.length >= 1, `${shopUid} has no workgroup`);
      assert.ok(j.data.shop.agentSeats.some((s: any) => s.baseSeat), `${shopUid} has no base seat`);
    }
  } finally {
    await child.stop();
    appendFileSync(logFile, child.log());
  }

  const db = new Database(dbFile, { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    const shops = new Set((db.prepare('select shop_uid from shops').all() as { shop_uid: string }[]).map((r) => r.shop_uid));
    const missingShops = ackShops.filter((s) => !shops.has(s));
    assert.deepEqual(missingShops, [], `${missingShops.length} acknowledged onboards lost`);
    const seats = new Set((db.prepare('select s.seat_no from seats s where s.deleted_at is null').all() as { seat_no: string }[]).map((r) => r.seat_no));
    const missingSeats = ackSeats.filter((s) => !seats.has(s.seatNo));
    assert.deepEqual(missingSeats, [], `${missingSeats.length} acknowledged seats lost`);
    const orphans = db
      .prepare(
        `select sh.shop_uid from shops sh
         where not exists (select 1 from orgs o where o.uid = sh.org_uid)
            or not exists (select 1 from workgroups w where w.shop_uid = sh.uid)
            or not exists (select 1 from seats s where s.shop_uid = sh.uid and s.base_seat = 1 and s.deleted_at is null)`,
      )
      .all();
    assert.deepEqual(orphans, [], 'shops without organisation, workgroup or base seat');
  } finally {
    db.close();
  }
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ acked, shops: ackShops.length, seats: ackSeats.length }));
  console.log(`crash: ${ROUNDS} kills, ${ackShops.length} acknowledged onboards, ${ackSeats.length} acknowledged seats, all present`);
});
