import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';

// Both are loaded on first use (the first sign-in or sign-up), not while the server starts.
const load = createRequire(import.meta.url);
let argon2Module: typeof import('argon2') | undefined;
const argon2 = () => (argon2Module ??= load('argon2') as typeof import('argon2'));

export interface HashParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * At most `limit` argon2 computations at a time; the rest wait their turn. argon2 runs on libuv's
 * thread pool (4 threads): in a login storm on a machine with fewer cores, those threads would take
 * nearly all of the CPU from the event loop, and every other request would wait on them.
 */
class Turns {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

/** Leaves a core to the event loop: one fewer than the cores this process may use, at least one. */
const defaultHashConcurrency = () => Math.max(1, availableParallelism() - 1);

export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 256;

/** The zxcvbn-ts common-password dictionary (~49,000 entries), lower-cased; built on first use. */
let commonPasswords: Set<string> | undefined;
function common(): Set<string> {
  if (!commonPasswords) {
    const { dictionary } = load('@zxcvbn-ts/language-common') as { dictionary: { passwords: string[] } };
    commonPasswords = new Set(dictionary.passwords.map((p) => p.toLowerCase()));
  }
  return commonPasswords;
}

export class Passwords {
  /** A real hash of a random password, verified against when the account does not exist. */
  private dummy: Promise<string> | undefined;

  private readonly turns: Turns;

  constructor(
    private readonly params: HashParams,
    concurrency = defaultHashConcurrency(),
  ) {
    this.turns = new Turns(concurrency);
  }

  hash(password: string): Promise<string> {
    return this.turns.run(() => argon2().hash(password, { type: argon2().argon2id, ...this.params }));
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (!hash) {
      // Same work as a real check, so an unknown account takes as long as a wrong password.
      this.dummy ??= this.hash(`dummy-${Math.random()}`);
      const dummy = await this.dummy;
      await this.turns.run(() => argon2().verify(dummy, password)).catch(() => false);
      return false;
    }
    try {
      return await this.turns.run(() => argon2().verify(hash, password));
    } catch {
      return false;
    }
  }

  needsRehash(hash: string): boolean {
    return argon2().needsRehash(hash, this.params);
  }
}

/** The password policy: returns the problem, or null when the password is acceptable. */
export function passwordProblem(password: string, personal: Array<string | null | undefined>): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD) return `Password must be at least ${MIN_PASSWORD} characters`;
  if (length > MAX_PASSWORD) return `Password must be at most ${MAX_PASSWORD} characters`;
  const lower = password.toLowerCase();
  if (common().has(lower)) return 'Password is too common';
  for (const value of personal) {
    if (!value) continue;
    const v = value.toLowerCase();
    if (lower === v || lower === v.split('@')[0]) return 'Password must not be your email or username';
  }
  return null;
}
