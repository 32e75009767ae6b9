/**
 * The dependency rules of src/, checked in CI (`npm run deps`):
 * - no import cycles (type-only imports included);
 * - a module is used by others only through its index.ts;
 * - shared/ and db/ import no module, and no module imports the composition root (src/*.ts).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'modules-through-index',
      comment: 'Another module is reached through its index.ts only.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'shared-and-db-import-no-module',
      severity: 'error',
      from: { path: '^src/(shared|db)/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'modules-do-not-import-the-root',
      comment: 'The composition root (src/*.ts) knows every module; no module imports it back.',
      severity: 'error',
      from: { path: '^src/(modules|shared|db)/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
