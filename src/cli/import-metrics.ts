/**
 * `tally import --metrics-port`: the import's progress as Prometheus gauges, served on loopback
 * while it runs (an import is its own process, without the API's /metrics). The same metrics
 * token (TALLY_METRICS_TOKEN) guards it when set.
 */
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { ImportProgress } from './import.js';

export class ImportMetrics {
  private readonly registry = new Registry();
  private readonly files = new Gauge({
    name: 'tally_import_files',
    help: 'Export files of this import: found (total) and imported or skipped (done)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  private readonly events = new Gauge({
    name: 'tally_import_events',
    help: 'Events read by this import so far',
    registers: [this.registry],
  });
  private server: Server | null = null;

  update(progress: ImportProgress): void {
    this.files.set({ state: 'total' }, progress.filesTotal);
    this.files.set({ state: 'done' }, progress.filesDone);
    this.events.set(progress.events);
  }

  async listen(port: number, token: string | null): Promise<number> {
    this.server = createServer((request, response) => {
      const authorized = token === null || request.headers.authorization === `Bearer ${token}`;
      if (request.url !== '/metrics' || !authorized) {
        response.writeHead(authorized ? 404 : 401, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            message: authorized ? 'only GET /metrics here' : 'the metrics token is required',
          }),
        );
        return;
      }
      void this.registry.metrics().then((text) => {
        response.writeHead(200, { 'content-type': this.registry.contentType });
        response.end(text);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.server.unref();
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
