import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import fastifyCookie from '@fastify/cookie';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { createApp } from '../graphql/app.js';
import type { App } from '../shared/app.js';
import type { Config } from '../shared/config.js';
import { type Context, createContext } from '../graphql/context.js';
import type { ClientInfo } from '../shared/context.js';
import { type Database, createDb } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { createLogger } from '../ops/logger.js';
import { type Services, createServices } from '../modules/index.js';
import { buildOrbitSchema } from '../graphql/schema.js';
import { createFormatError } from '../shared/format-error.js';
import { UNAVAILABLE_RETRY_AFTER_S } from '../shared/errors.js';
import {
  type OperationReport,
  type OperationReports,
  createOperationReports,
  operationReports,
} from '../ops/operation-reports.js';
import { VALIDATION_MAX_ERRORS, documentLimits, limitsPlugin, operationLimits } from '../shared/limits.js';
import { literalFieldNames } from '../shared/input-gate.js';
import { createMailer } from '../shared/mailer.js';
import { registerHttpSecurity, websocketOriginCheck } from './security.js';
import { scheduleMaintenance } from '../ops/maintenance.js';
import { loadTrustedDocuments, trustedDocuments } from '../graphql/trusted-documents.js';
import { attachWebSockets } from '../realtime/ws-server.js';
import { landingPage, registerGraphiql } from './ide.js';
import { registerMcp } from './mcp-route.js';
import { registerFiles } from './files.js';
import { registerUploads } from './uploads.js';
import { enforceRequestDeadlines } from './request-deadline.js';
import { registerPublicPages } from './public-pages.js';
import { EMBED, embedKind, prepareSemanticIndex, startEmbedScheduler } from '../modules/search/index.js';
import { deadJob, scheduleMailSync, sendJob, syncJob } from '../modules/mail/index.js';
import { ticketMailHooks } from '../modules/tracker/index.js';
import { MODEL_TRIAGE, TRANSCRIBE, transcribeKind } from '../modules/capture/index.js';
import { modelTriageKind } from '../modules/assistant/index.js';
import { UsageService } from '../modules/usage/index.js';
import { type JobQueue, type Kind } from '../shared/jobs.js';
import { adoptLegacyJobs } from '../shared/job-adoption.js';
import { watchClock } from '../shared/clock.js';
import { unavailablePlugin } from '../graphql/unavailable.js';
import { idempotencyPlugin } from '../graphql/idempotency.js';

/** The version in package.json (src/ and dist/ are both one level below it). */
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const REFRESH_COOKIE = 'orbit_refresh';
export const GRAPHQL_PATH = '/graphql';
const BODY_LIMIT = 1024 * 1024;
/** How long /readyz waits for the database. */
const READY_TIMEOUT_MS = 1500;

export interface OrbitServer {
  app: App;
  /** Open WebSocket connections. */
  socketCount(): number;
  services: Services;
  /** The background job worker (mail, embeddings). */
  jobs: JobQueue;
  fastify: FastifyInstance;
  /** One report per finished GraphQL operation (statements, duration, viewer, errors). */
  reports: OperationReports;
  /** Starts listening; returns the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, closes the database. */
  stop(): Promise<void>;
}

/** The composition root: database, schema, HTTP and GraphQL. Listening is the caller's choice. */
export interface ServerOptions {
  logger?: Logger;
  /** An open database to use (two servers on one embedded database act as two replicas). */
  database?: Database;
  /** stop() closes the given database too (the entry point opens it while the modules load). */
  ownDatabase?: boolean;
}

export async function createServer(config: Config, options: ServerOptions = {}): Promise<OrbitServer> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, config.NODE_ENV === 'development');
  const database = options.database ?? (await createDb(config));
  await runMigrations(database, config);
  const mailer = createMailer({
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    outboxDir: config.outboxDir,
    logger,
  });
  const app = createApp(config, database, mailer, logger);
  app.semantic = await prepareSemanticIndex(database.db, config, logger);
  // The background jobs (pg-boss): mail sync and sending, and (re-)embedding items when semantic search is on.
  const kinds: Record<string, Kind> = {
    // The jobs' deadlines sit behind the mail handlers' own: a job never holds a worker longer.
    'mail-sync': {
      run: syncJob(app, ticketMailHooks(app)),
      deadlineS: Math.ceil(config.MAIL_SYNC_TIMEOUT_MS / 1000) + 10,
      concurrency: 2,
      onDead: (job) => deadJob(app, job),
    },
    'mail-send': {
      run: sendJob(app),
      deadlineS: Math.ceil(config.MAIL_SEND_TIMEOUT_MS / 1000) + 10,
      concurrency: 2,
      onDead: (job) => deadJob(app, job),
    },
    [TRANSCRIBE]: transcribeKind(app),
    // Model triage of captures, when a model is configured (without one, triage is the grammar's, at once).
    ...(config.LLM_BASE_URL ? { [MODEL_TRIAGE]: modelTriageKind(app, new UsageService(app)) } : {}),
    ...(app.semantic.provider
      ? {
          [EMBED]: embedKind(
            database.db,
            app.semantic.provider,
            Math.ceil(config.EMBEDDINGS_TIMEOUT_MS / 1000) * 4 + 60,
          ),
        }
      : {}),
  };
  await app.jobs.prepare(kinds);
  const adopted = await adoptLegacyJobs(database.db, app.jobs, Object.keys(kinds));
  if (adopted > 0) logger.info({ adopted }, 'moved jobs waiting from before the upgrade to pg-boss');
  const services = createServices(app);
  const reports = createOperationReports();
  const schema = await buildOrbitSchema(app.bus);
  await app.bus.start(database);

  // Typed as fastify's logger: fastify's instance type is inferred from it.
  const loggerInstance: FastifyBaseLogger = logger;
  const fastify = Fastify({
    loggerInstance,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: BODY_LIMIT,
    // A client has 30 s to send a request, an upload's body 10 minutes (request-deadline.ts).
    requestTimeout: Math.max(config.REQUEST_TIMEOUT_MS, config.UPLOAD_TIMEOUT_MS),
    // One log line per request, written below, with the request id as `requestId` like every other line.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    // Plugins start once per server; on a busy machine that may pass fastify's default of 10 s.
    pluginTimeout: 60_000,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
  });
  enforceRequestDeadlines(fastify, config.REQUEST_TIMEOUT_MS, config.UPLOAD_TIMEOUT_MS);
  await fastify.register(fastifyCookie);
  registerHttpSecurity(fastify, config);

  const limits = operationLimits(config);
  // Development: GraphiQL from npm packages at /graphiql, linked from the landing page.
  const graphiql = !config.production && registerGraphiql(fastify, GRAPHQL_PATH);
  const apollo = new ApolloServer<Context>({
    schema,
    // The preHandler has parsed the text within the limits already; this bounds any other path.
    parseOptions: { maxTokens: limits.tokens },
    introspection: !config.production,
    allowBatchedHttpRequests: false,
    // main.ts owns the signals: Apollo's own handler would re-raise SIGTERM after stopping.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: config.NODE_ENV === 'development',
    // Outside development (test and production alike) unexpected errors say nothing about internals.
    formatError: createFormatError(config.NODE_ENV !== 'development'),
    plugins: [
      fastifyApolloDrainPlugin(fastify),
      ApolloServerPluginCacheControlDisabled(),
      config.production ? ApolloServerPluginLandingPageDisabled() : landingPage(GRAPHQL_PATH, graphiql),
      operationReports(reports, logger),
      limitsPlugin(limits),
      unavailablePlugin(),
      idempotencyPlugin(config.secretsKey, config.IDEMPOTENCY_TTL_S, logger),
    ],
    // No "did you mean" suggestions that spell out the schema outside development.
    hideSchemaDetailsFromClientErrors: config.NODE_ENV !== 'development',
    persistedQueries: false,
    validationRules: [literalFieldNames],
    // Each error may compute "did you mean" suggestions: ten are enough to fix a document.
    validationOptions: { maxErrors: VALIDATION_MAX_ERRORS },
  });
  await apollo.start();

  const trusted = config.PERSISTED_QUERIES === 'only' ? loadTrustedDocuments(config.PERSISTED_QUERIES_MANIFEST!) : null;
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  logRequests(fastify, reports, logger, config.SLOW_OPERATION_MS);
  const handler = fastifyApolloHandler(apollo, {
    context: async (request, reply) =>
      createContext(app, request.headers.authorization, clientInfo(request, reply, config), request.id),
  });
  fastify.route({
    url: GRAPHQL_PATH,
    method: ['GET', 'POST', 'OPTIONS'],
    // Trusted documents first (an untrusted text is refused unparsed), then the document limits.
    preHandler: [...(trusted ? [trustedDocuments(trusted)] : []), documentLimits(limits)],
    handler: handler as never,
  });

  const sockets = attachWebSockets(fastify.server, app, services, schema, {
    path: GRAPHQL_PATH,
    refreshCookie: REFRESH_COOKIE,
    originAllowed: websocketOriginCheck(config),
    trusted,
  });

  // Loaded only when asked for: prom-client is not needed otherwise.
  const metrics = config.METRICS
    ? new (await import('../ops/metrics.js')).Metrics(config, () => sockets.connectionCount(), database)
    : null;
  const metricsServer = metrics ? await metrics.expose(fastify, config) : null;
  if (metrics) {
    reports.on('operation', (report) => metrics.observe(report));
    sockets.onSubscriptionCount((delta) => metrics.subscriptions.inc(delta));
  }

  registerMcp(fastify, app, services, VERSION);
  registerFiles(fastify, app, REFRESH_COOKIE);
  registerUploads(fastify, app);
  registerPublicPages(fastify, services);

  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    // Within READY_TIMEOUT_MS: a database that does not answer is as down as one that refuses.
    const ok = await database.ping(READY_TIMEOUT_MS);
    if (!ok) void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', database: ok ? 'up' : 'down' });
  });

  const stopMaintenance = scheduleMaintenance(app);
  // Background work starts once the server listens: start-up (and /readyz) does not wait behind it.
  let stopMailSync = () => {};
  let stopEmbeds = async () => {};
  let stopClock = () => {};
  let stopped: Promise<void> | undefined;
  return {
    app,
    services,
    jobs: app.jobs,
    fastify,
    reports,
    socketCount: () => sockets.connectionCount(),
    async listen(port = config.PORT, host = config.HOST) {
      await fastify.listen({ port, host });
      await app.jobs.start();
      if (kinds[EMBED]) stopEmbeds = await startEmbedScheduler(database, app.jobs, config.JOBS_POLL_MS * 5, logger);
      stopMailSync = scheduleMailSync(app);
      stopClock = watchClock(app.db, logger, (ms) => metrics?.clockSkew.set(ms / 1000));
      const address = fastify.server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return `http://${shown}:${address.port}`;
    },
    stop() {
      stopped ??= (async () => {
        stopMaintenance();
        stopMailSync();
        stopClock();
        await stopEmbeds();
        await app.jobs.stop();
        metricsServer?.close();
        await sockets.stop();
        // Connections busy when closing started go idle when their request ends: close them then,
        // rather than wait for their keep-alive timeout.
        const idle = setInterval(() => fastify.server.closeIdleConnections(), 50);
        // The drain has a deadline: a request still running then (or a connection a client left
        // half-open) is cut, so a stop always ends.
        const deadline = setTimeout(() => {
          logger.warn({ afterMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown deadline: closing the connections still open');
          fastify.server.closeAllConnections();
        }, config.SHUTDOWN_TIMEOUT_MS);
        try {
          await fastify.close();
        } finally {
          clearInterval(idle);
          clearTimeout(deadline);
        }
        await app.bus.stop();
        if (!options.database || options.ownDatabase) await database.close();
      })();
      return stopped;
    },
  };
}

function clientInfo(request: FastifyRequest, reply: FastifyReply, config: Config): ClientInfo {
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: config.production, path: GRAPHQL_PATH };
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new Error('client went away'));
  });
  return {
    signal: gone.signal,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    refreshCookie: request.cookies[REFRESH_COOKIE] ?? null,
    setRefreshCookie: (token, expiresAt) =>
      void reply.setCookie(REFRESH_COOKIE, token, { ...cookieOptions, expires: expiresAt }),
    clearRefreshCookie: () => void reply.clearCookie(REFRESH_COOKIE, cookieOptions),
  };
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One log line per HTTP request: method, path, status, time and, for GraphQL, the operation's
 * report (name, statements, viewer, errors). Slow operations are warnings; probes are debug.
 */
function logRequests(fastify: FastifyInstance, reports: OperationReports, logger: Logger, slowMs: number): void {
  const pending = new Map<string, OperationReport>();
  reports.on('operation', (report, requestId) => {
    if (requestId) pending.set(requestId, report);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const operation = pending.get(request.id);
    if (operation) pending.delete(request.id);
    const ms = Math.round(reply.elapsedTime * 100) / 100;
    const path = request.url.split('?')[0] ?? request.url;
    const line = {
      requestId: request.id,
      method: request.method,
      path,
      status: reply.statusCode,
      ms,
      ...(operation ? { operation } : {}),
    };
    if (ms > slowMs) logger.warn(line, 'slow request');
    else if (PROBES.has(path)) logger.debug(line, 'request');
    else logger.info(line, 'request');
    done();
  });
}
