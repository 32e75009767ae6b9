import { existsSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { resolve } from 'node:path';
import { causes } from '../shared/errors.js';

/** A start-up problem the operator can fix: printed as one line, no stack, exit code 1. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/**
 * Reads `.env` from the working directory when there is one. Variables already set in the
 * environment win, as with every dotenv loader; the file is optional.
 */
export function loadDotEnv(file = '.env'): string | null {
  const path = resolve(file);
  if (!existsSync(path)) return null;
  try {
    process.loadEnvFile(path);
  } catch (error) {
    throw new StartupError(`Could not read ${path}: ${(error as Error).message}`);
  }
  return path;
}

/** Fails fast when the port is taken, before any database is opened. */
export async function ensurePortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((done, fail) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        fail(
          new StartupError(
            `Port ${port} on ${host} is already in use: stop the process that holds it, or set PORT to another port.`,
          ),
        );
      else if (error.code === 'EACCES')
        fail(
          new StartupError(
            `Port ${port} on ${host} needs privileges this process does not have: set PORT to 1024 or above.`,
          ),
        );
      else if (error.code === 'EADDRNOTAVAIL')
        fail(
          new StartupError(
            `HOST ${host} is not an address of this machine: set HOST (0.0.0.0 listens on every interface).`,
          ),
        );
      else fail(error);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => done()));
  });
}

/** The first error code along the cause chain: a system error's (ECONNREFUSED) or PostgreSQL's. */
const codeOf = (error: unknown): string | undefined => {
  for (const e of causes(error)) if (typeof e.code === 'string') return e.code;
  return undefined;
};

/** A database that cannot be opened, as one line saying what to do. */
export function databaseProblem(error: unknown, url: string | undefined): StartupError | null {
  const code = codeOf(error);
  const where = url ? new URL(url) : null;
  const server = where ? `${where.hostname}:${where.port || 5432}` : 'the database';
  const name = where?.pathname.slice(1) || 'the database';
  switch (code) {
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
    case 'EHOSTUNREACH':
      return new StartupError(
        `No PostgreSQL server answers at ${server}: start it, or fix DATABASE_URL (unset it to use the embedded database).`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`The host of DATABASE_URL (${where?.hostname}) does not resolve: fix DATABASE_URL.`);
    case '3D000':
      return new StartupError(
        `The database "${name}" does not exist on ${server}: create it (createdb ${name}) or fix DATABASE_URL.`,
      );
    case '28P01':
    case '28000':
      return new StartupError(
        `PostgreSQL at ${server} refused the user or password of DATABASE_URL: fix DATABASE_URL.`,
      );
    default:
      return null;
  }
}
