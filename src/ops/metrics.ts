import { type Server, createServer } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../shared/config.js';
import type { Database } from '../db/client.js';
import type { OperationReport } from './operation-reports.js';

const MAX_OPERATION_NAMES = 200;

/**
 * Prometheus metrics (METRICS=true): operations by name and outcome, latency and SQL statements per
 * operation, open WebSockets, active subscriptions, the database pool (size, open, busy), and Node's defaults
 * (event-loop lag among them). Operation names are client-chosen: unknown shapes and names past the
 * first 200 are counted as "other".
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();
  private readonly operations = new Counter({
    name: 'orbit_graphql_operations_total',
    help: 'GraphQL operations by name and outcome',
    labelNames: ['operation', 'outcome'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'orbit_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly statements = new Histogram({
    name: 'orbit_graphql_operation_sql_statements',
    help: 'SQL statements per GraphQL operation',
    labelNames: ['operation'],
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });
  readonly clockSkew = new Gauge({
    name: 'orbit_clock_skew_seconds',
    help: "The database's clock minus this process's (read at start and every minute)",
    registers: [this.registry],
  });
  readonly subscriptions = new Gauge({
    name: 'orbit_subscriptions_active',
    help: 'Active GraphQL subscriptions',
    registers: [this.registry],
  });

  constructor(config: Config, sockets: () => number, database: Database) {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    new Gauge({
      name: 'orbit_websocket_connections',
      help: 'Open WebSocket connections',
      registers: [this.registry],
      collect() {
        this.set(sockets());
      },
    });
    new Gauge({
      name: 'orbit_db_pool_max',
      help: 'Database connections the pool may open (1 for embedded PGlite)',
      registers: [this.registry],
    }).set(config.DATABASE_URL ? config.DB_POOL_MAX : 1);
    // Read from pg_stat_activity when scraped (PGlite has none to report); a database that does not
    // answer within a second leaves them unset.
    const open = new Gauge({
      name: 'orbit_db_pool_open',
      help: "This replica's connections to the database server, the listener included",
      registers: [this.registry],
    });
    const busy = new Gauge({
      name: 'orbit_db_pool_busy',
      help: "This replica's connections running a statement or a transaction",
      registers: [this.registry],
    });
    this.refresh = async () => {
      const use = await Promise.race([
        database.poolUse(),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000).unref()),
      ]).catch(() => null);
      if (use) {
        open.set(use.open);
        busy.set(use.busy);
      }
    };
  }

  private readonly refresh: () => Promise<void>;

  observe(report: OperationReport): void {
    const name = this.label(report.operationName);
    this.operations.inc({ operation: name, outcome: report.errors > 0 ? 'error' : 'ok' });
    this.duration.observe({ operation: name }, report.durationMs / 1000);
    this.statements.observe({ operation: name }, report.statements);
  }

  private label(name: string | null): string {
    if (!name || !/^\w{1,64}$/.test(name)) return name ? 'other' : 'anonymous';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(name);
    return name;
  }

  /** GET /metrics on the API's port, or on METRICS_PORT when set. */
  async expose(fastify: FastifyInstance, config: Config): Promise<Server | null> {
    const render = async () => {
      await this.refresh();
      return { body: await this.registry.metrics(), type: this.registry.contentType };
    };
    if (!config.METRICS_PORT) {
      fastify.get('/metrics', async (_req, reply) => {
        const { body, type } = await render();
        return reply.type(type).send(body);
      });
      return null;
    }
    // A failed collection (a database that does not answer) is a 500 for the scrape, never an
    // unhandled rejection that would end the process.
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      render().then(
        ({ body, type }) => res.writeHead(200, { 'content-type': type }).end(body),
        () => res.writeHead(500).end('metrics unavailable\n'),
      );
    });
    await new Promise<void>((r) => server.listen(config.METRICS_PORT, config.HOST, r));
    return server;
  }
}
