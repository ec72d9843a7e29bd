// `npm run dev`: serves the demo pages with the widget sources, hot-reloaded, on `PORT` (default
// 5173). The library bundles are built by scripts/build.mjs (see there).
import { defineConfig } from 'vite';

// The demo's API calls go to a running `npm start`: SHOP_CHAT_DEV_SERVER, default its default address.
const server = process.env.SHOP_CHAT_DEV_SERVER || 'http://127.0.0.1:9003';

export default defineConfig({
  root: '.',
  server: {
    host: '127.0.0.1',
    port: Number(process.env.PORT) || 5173,
    strictPort: true,
    open: false,
    proxy: { '/api': server, '/widget': server, '/docs': server, '/openapi.json': server },
  },
});
