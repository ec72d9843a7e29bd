// Profiling aid (not part of `npm run bench`): 1,000 goods cards in Chromium from dist/shop-chat.iife.js,
// split into Lit render (until every updateComplete) and style/layout/paint (until the next frame),
// with a CPU profile of the renderer (CDP) printed like cpuprofile.ts.
//   node --import tsx test/bench/profile-cards.ts [runs]
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { printProfile } from './cpuprofile.ts';
import { CHROME_ARGS, chromePath, startStaticServer } from './static-server.ts';
import { GOODS, PAINT_PAGE } from './widget.ts';

const runs = Number(process.argv[2] ?? 5);
const srv = await startStaticServer();
srv.pages.set('/paint', PAINT_PAGE);
const browser = await chromium.launch({ executablePath: chromePath(), args: CHROME_ARGS });
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
for (let r = 0; r < runs; r++) {
  await page.goto(`${srv.url}/paint`);
  await page.addScriptTag({ url: `${srv.url}/dist/shop-chat.iife.js` });
  const last = r === runs - 1;
  if (last) {
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
  if (last) {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync('/tmp/cards.cpuprofile', JSON.stringify(profile));
    printProfile('/tmp/cards.cpuprofile');
  }
}
await browser.close();
await srv.close();
