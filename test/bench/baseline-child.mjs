// The benchmark baseline: a bare Fastify route returning `{}`, plain node like the compiled server.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({}));
app.get('/baseline', async () => ({}));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
