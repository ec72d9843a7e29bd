// The fake store platforms in a process of their own, for the refresh benchmark: a platform is
// another machine, and the fakes' own bookkeeping (request log, token maps) must not be billed to
// the code under test. Driven over the IPC channel by remoteFakes() in store-fixture.ts.
import { fakeStoreEnv, startFakes } from '../fakes/platforms.ts';

type Msg = { id: number; type: 'seed'; stores: string[] } | { id: number; type: 'count'; op: string } | { id: number; type: 'close' };

const fakes = await startFakes();
process.on('message', async (m: Msg) => {
  if (m.type === 'seed') {
    const pairs = m.stores.map((s) => fakes.shoplazza.seedPair(s));
    fakes.shoplazza.resetCounts();
    process.send!({ id: m.id, pairs });
  } else if (m.type === 'count') {
    process.send!({ id: m.id, n: fakes.shoplazza.count(m.op) });
  } else if (m.type === 'close') {
    await fakes.close();
    process.send!({ id: m.id }, () => process.exit(0));
  }
});
process.send!({ id: 0, env: fakeStoreEnv(fakes) });
