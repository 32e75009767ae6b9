import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';

/** The files GraphiQL needs, served from npm packages: nothing is loaded from a CDN. */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
  'graphql-ws.js': { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js', type: 'text/javascript' },
};

function resolveAssets(): Map<string, string> | null {
  const require = createRequire(import.meta.url);
  const found = new Map<string, string>();
  try {
    // By the package's directory: packages export their modules, not these prebuilt files.
    for (const [name, asset] of Object.entries(ASSETS)) {
      const path = join(dirname(require.resolve(`${asset.pkg}/package.json`)), asset.file);
      if (!existsSync(path)) return null;
      found.set(name, path);
    }
  } catch {
    return null; // development dependencies not installed (a production image): no IDE
  }
  return found;
}

const page = (endpoint: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Orbit · GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphql-ws.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script>
    const url = new URL(${JSON.stringify(endpoint)}, location.href);
    const wsUrl = url.href.replace(/^http/, 'ws');
    // Queries and mutations over HTTP, subscriptions over graphql-ws; a token saved in the headers
    // editor ({"authorization": "Bearer …"}) is sent on both.
    const headers = () => { try { return JSON.parse(localStorage.getItem('graphiql:headers') || '{}'); } catch { return {}; } };
    const wsClient = graphqlWs.createClient({ url: wsUrl, lazy: true, connectionParams: () => headers() });
    const fetcher = GraphiQL.createFetcher({ url: url.href, wsClient });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: true }),
    );
  </script>
</body>
</html>`;

/**
 * GraphiQL at /graphiql in development, working offline: its scripts come from the graphiql, react,
 * react-dom and graphql-ws packages. False when those packages are not installed.
 */
export function registerGraphiql(fastify: FastifyInstance, endpoint: string): boolean {
  const assets = resolveAssets();
  if (!assets) return false;
  fastify.get('/graphiql', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page(endpoint)));
  fastify.get<{ Params: { file: string } }>('/graphiql/assets/:file', async (request, reply) => {
    const path = assets.get(request.params.file);
    if (!path) return reply.code(404).send({ error: 'not found' });
    return reply
      .type(ASSETS[request.params.file]!.type)
      .header('cache-control', 'public, max-age=86400')
      .send(await readFile(path));
  });
  return true;
}

/**
 * The development landing page of GET /graphql in a browser: links to GraphiQL (offline) and to
 * Apollo Sandbox (online, loaded from Apollo's site).
 */
export function landingPage(endpointPath: string, graphiql: boolean): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          const sandbox = `https://studio.apollographql.com/sandbox/explorer?endpoint=`;
          return {
            html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Orbit</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#f3f3f3;padding:.1rem .3rem}</style></head>
<body><h1>Orbit GraphQL API</h1>
<p>POST GraphQL requests to <code>${endpointPath}</code>; subscriptions use graphql-ws on the same path.</p>
<ul>
${graphiql ? '<li><a href="/graphiql">GraphiQL</a>: an in-browser IDE served by this server (works offline)</li>' : ''}
<li><a id="sandbox" href="${sandbox}">Apollo Sandbox</a>: Apollo's IDE, loaded from Apollo's site (needs the internet)</li>
</ul>
<script>document.getElementById('sandbox').href = ${JSON.stringify(sandbox)} + encodeURIComponent(location.origin + ${JSON.stringify(endpointPath)});</script>
</body></html>`,
          };
        },
      };
    },
  };
}
