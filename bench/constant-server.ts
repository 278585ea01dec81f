/**
 * The ceiling for request rates: bare Fastify answering a constant small JSON body (under
 * 100 bytes), in a child process like bench/server.ts. Nothing to read, render or write, so no
 * data_series answer, compressed or not, can be served faster.
 */
import Fastify from 'fastify';

const body = { message: 'success', data: [{ time: '2026-01-01', messages: {}, conversions: 0 }] };
const app = Fastify({ logger: false });
app.get('/constant', async () => body);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
