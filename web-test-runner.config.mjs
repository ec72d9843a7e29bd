// Browser tests of the widget: @open-wc/testing in the system Chromium (no browser download).
import { execFileSync } from 'node:child_process';
import { posix } from 'node:path';
import { build } from 'esbuild';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROME_ARGS, chromePath } from './scripts/chromium.mjs';

// React ships CommonJS only, its exports chosen at run time: the tests get one ES module bundle of
// react, react-dom and react-dom/client (development build), re-exported under each name with the
// export names Node sees.
const REACT = { react: 'React', 'react-dom': 'ReactDOM', 'react-dom/client': 'ReactDOMClient' };
// In a child: React's development build reads console methods this process's reporter replaces.
const reactExports = JSON.parse(
  execFileSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(${JSON.stringify(Object.keys(REACT))}.map((m) => Object.keys(require(m)))))`]),
);
let reactBundle;
const reactAsEsm = {
  name: 'react-as-esm',
  resolveImport: ({ source }) => (source in REACT ? `/__react/${source}.js` : undefined),
  async serve({ path }) {
    if (path === '/__react/bundle.js') {
      reactBundle ??= build({
        stdin: { contents: Object.entries(REACT).map(([m, n]) => `export { default as ${n} } from '${m}';`).join('\n'), resolveDir: process.cwd() },
        bundle: true,
        format: 'esm',
        write: false,
        define: { 'process.env.NODE_ENV': '"development"' },
      }).then((r) => r.outputFiles[0].text);
      return { body: await reactBundle, type: 'js' };
    }
    const m = /^\/__react\/(.+)\.js$/.exec(path);
    if (!m || !(m[1] in REACT)) return undefined;
    const name = REACT[m[1]];
    const keys = reactExports[Object.keys(REACT).indexOf(m[1])].filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
    return { body: `import { ${name} } from '/__react/bundle.js';\nexport default ${name};\nexport const { ${keys.join(', ')} } = ${name};\n`, type: 'js' };
  },
};

/**
 * Local fakes of what the widget calls on Bytedesk: the unread-count endpoint (the count is the
 * number after `n` in the uid, e.g. uid=bd_n7 → 7; uid=bd_fail → 503) and a chat page that never
 * finishes loading (for the panel's load deadline).
 */
async function fakeBytedesk(ctx, next) {
  if (ctx.path === '/fake-bytedesk/visitor/api/v1/message/unread/count') {
    const uid = String(ctx.query.uid ?? '');
    const n = /_n(\d+)$/.exec(uid);
    ctx.set('access-control-allow-origin', '*');
    ctx.type = 'application/json';
    if (!n) {
      ctx.status = 503;
      ctx.body = JSON.stringify({ code: 503, message: 'unavailable', data: null });
    } else ctx.body = JSON.stringify({ code: 200, message: 'ok', data: Number(n[1]) });
    return;
  }
  if (ctx.path === '/fake-bytedesk/never') {
    await new Promise((r) => setTimeout(r, 4000));
    ctx.type = 'text/html';
    ctx.body = '<!doctype html><title>late</title>';
    return;
  }
  return next();
}

export default {
  files: ['test/browser/**/*.test.ts'],
  middleware: [fakeBytedesk],
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  plugins: [
    reactAsEsm,
    // The built React wrappers (dist/react.js) import the widget by its package name.
    {
      name: 'package-self',
      resolveImport({ source, context }) {
        if (source !== 'shop-chat') return undefined;
        const rel = posix.relative(posix.dirname(context.path), '/dist/shop-chat.js');
        return rel.startsWith('.') ? rel : `./${rel}`;
      },
    },
    // esbuild reads tsconfig.json, so experimentalDecorators / useDefineForClassFields apply.
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromePath(),
        headless: true,
        args: CHROME_ARGS,
      },
    }),
  ],
};
