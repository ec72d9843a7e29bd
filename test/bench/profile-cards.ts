// Profiling aid (not part of `npm run bench`): 1,000 goods cards in Chromium from dist/shop-chat.iife.js,
// split into Lit render (until every updateComplete) and style/layout/paint (until the next frame),
// with a CPU profile of the renderer (CDP) printed like cpuprofile.ts. TRACE=1 records a Chrome trace
// of the last run instead and prints the renderer main thread's self time by trace event: where the
// time goes outside JavaScript (style, layout, image requests, intersection observers, paint).
//   node --import tsx test/bench/profile-cards.ts [runs]
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { printProfile } from './cpuprofile.ts';
import { CHROME_ARGS, chromePath, startStaticServer } from './static-server.ts';
import { GOODS, PAINT_PAGE } from './widget.ts';

const runs = Number(process.argv[2] ?? 5);

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** Self time (an event's duration minus its children's) per event name on the renderer main thread. */
function printTrace(events: TraceEvent[]): void {
  const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const spans = events.filter((e) => e.ph === 'X' && e.dur !== undefined && main.has(`${e.pid}:${e.tid}`)).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: { e: TraceEvent; children: number }[] = [];
  const close = (until: number) => {
    while (stack.length && stack.at(-1)!.e.ts + stack.at(-1)!.e.dur! <= until) {
      const { e, children } = stack.pop()!;
      self.set(e.name, (self.get(e.name) ?? 0) + (e.dur! - children) / 1000);
    }
  };
  for (const e of spans) {
    close(e.ts);
    if (stack.length) stack.at(-1)!.children += e.dur!;
    stack.push({ e, children: 0 });
  }
  close(Infinity);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`\ntrace, renderer main thread, self time by event (total ${total.toFixed(0)} ms; v8.* is JavaScript and what it calls):`);
  for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 25))) console.log(`${t.toFixed(1).padStart(7)} ms  ${k}`);
}

const srv = await startStaticServer();
srv.pages.set('/paint', PAINT_PAGE);
const browser = await chromium.launch({ executablePath: chromePath(), args: CHROME_ARGS });
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
for (let r = 0; r < runs; r++) {
  await page.goto(`${srv.url}/paint`);
  await page.addScriptTag({ url: `${srv.url}/dist/shop-chat.iife.js` });
  const last = r === runs - 1;
  const events: TraceEvent[] = [];
  const onData = (e: { value: unknown[] }) => events.push(...(e.value as TraceEvent[]));
  if (last && process.env.TRACE) {
    cdp.on('Tracing.dataCollected', onData);
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink,v8,loading', transferMode: 'ReportEvents' });
  } else if (last) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
  }
  // A string, not a function: tsx would wrap named functions in a helper the page does not have.
  const t = (await page.evaluate(`(async (info) => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    await frame();
    const rootEl = document.getElementById('root');
    const t0 = performance.now();
    const frag = document.createDocumentFragment();
    const els = [];
    for (let i = 0; i < 1000; i++) {
      const el = document.createElement('shop-chat-goods-card');
      el.info = { ...info, uid: 'goods_' + i, title: info.title + ' #' + i, price: 10 + i };
      els.push(el);
      frag.append(el);
    }
    rootEl.append(frag);
    const t1 = performance.now();
    await Promise.all(els.map((e) => e.updateComplete));
    const t2 = performance.now();
    void rootEl.getBoundingClientRect();
    const t3 = performance.now();
    await frame();
    const t4 = performance.now();
    return { create: t1 - t0, render: t2 - t1, layout: t3 - t2, paint: t4 - t3, total: t4 - t0 };
  })(${JSON.stringify(GOODS)})`)) as Record<string, number>;
  console.log(Object.entries(t).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('  '));
  if (last && process.env.TRACE) {
    const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await done;
    cdp.off('Tracing.dataCollected', onData);
    printTrace(events);
  } else if (last) {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync('/tmp/cards.cpuprofile', JSON.stringify(profile));
    printProfile('/tmp/cards.cpuprofile');
  }
}
await browser.close();
await srv.close();
