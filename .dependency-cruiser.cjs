/**
 * The dependency rules of src/ and bench/, checked in CI (`npm run deps`). The layers, outermost first:
 *   main.ts, cli/      entry points
 *   http/              the HTTP server: routes, security headers, files, MCP, IDE
 *   realtime/          the WebSocket server: connections, the operation gate
 *   ops/               logging, metrics, operation reports, maintenance, start-up checks
 *   graphql/           the composition root: App, schema, request context, trusted documents
 *   modules/           the product, each module reached through its index.ts
 *   shared/, db/       what every module uses
 * A layer imports only layers below it; there are no cycles (type-only imports included).
 */
const layer = (name, mayNotImport, comment) => ({
  name: `${name}-layer`,
  comment,
  severity: 'error',
  from: { path: `^src/(${name})/` },
  to: { path: `^src/(${mayNotImport.join('|')})(/|\\.ts$)` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      from: { path: '^(src|bench)/' },
      to: { circular: true },
    },
    {
      name: 'modules-through-index',
      comment: 'Another module is reached through its index.ts only.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    layer(
      'shared|db',
      ['modules', 'graphql', 'ops', 'realtime', 'http', 'cli', 'main'],
      'shared/ and db/ know no module and no layer above.',
    ),
    layer(
      'modules',
      ['graphql', 'ops', 'realtime', 'http', 'cli', 'main'],
      'Modules never reach the transports or the composition root.',
    ),
    layer(
      'graphql',
      ['ops', 'realtime', 'http', 'cli', 'main'],
      'The composition root does not know how it is served.',
    ),
    layer(
      'ops',
      ['realtime', 'http', 'cli', 'main'],
      'Operations code is used by the servers, never the other way round.',
    ),
    layer('realtime', ['http', 'cli', 'main'], 'The WebSocket server is attached by http/, and knows nothing of it.'),
    layer('http', ['cli', 'main'], 'The HTTP server is started by main.ts and the CLIs, never imports them.'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
