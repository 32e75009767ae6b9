import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A migrated, empty PGlite data directory packed at build time (`npm run build`): a new embedded
 * database is unpacked from it instead of running initdb inside WebAssembly (~3 s on this class of
 * machine). Migrations added since the build are applied on start as usual.
 */
export const templateFile = fileURLToPath(new URL('../pglite-template.tar.gz', import.meta.url));

/** The template when this is a new, empty data directory (or memory) and the build made one. */
export function templateFor(dir: string | undefined): Blob | undefined {
  if (!dir) return existsSync(templateFile) ? new Blob([readFileSync(templateFile)]) : undefined;
  const fresh =
    !existsSync(`${dir}/PG_VERSION`) &&
    readdirSync(dir).every((f) => f === 'orbit.lock' || f === 'jwt-secret' || f === 'outbox');
  if (!fresh || !existsSync(templateFile)) return undefined;
  return new Blob([readFileSync(templateFile)]);
}

export function removeTemplate(): void {
  rmSync(templateFile, { force: true });
}

export function writeTemplate(data: ArrayBuffer): void {
  writeFileSync(templateFile, Buffer.from(data));
}
