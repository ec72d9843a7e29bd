// `npm run dev`: serves the demo pages with the widget sources, hot-reloaded.
// The library bundles are built by scripts/build.mjs (three builds, see there).
import { defineConfig } from 'vite';

export default defineConfig({
  root: '.',
  server: {
    host: '127.0.0.1',
    port: 5173,
    open: false,
    // The demo's API calls go to the shop-chat server started by `npm start`.
    proxy: { '/api': 'http://127.0.0.1:9003', '/widget': 'http://127.0.0.1:9003' },
  },
});
