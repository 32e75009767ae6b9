import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../helpers/client.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { type Cluster, Teardown, startCluster } from './cluster.js';
import { startReplica } from './replica.js';

/**
 * SIGTERM while a request runs: the replica stops taking work, lets the request finish within
 * SHUTDOWN_TIMEOUT_MS, and exits 0 (it used to force-exit after 10 s whatever the setting).
 */
let pg: Cluster;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
const teardown = new Teardown();
beforeAll(async () => {
  pg = teardown.last(await startCluster());
  llm = await startFakeLlm();
}, 90_000);
afterAll(async () => {
  await teardown.run();
  await llm.close();
});

describe('SIGTERM during a 12 s request', () => {
  it('with SHUTDOWN_TIMEOUT_MS=20000 the request completes and the process exits 0', async () => {
    const replica = teardown.first(
      await startReplica(pg.url, {
        env: { LLM_BASE_URL: llm.url, SHUTDOWN_TIMEOUT_MS: '20000', LLM_TIMEOUT_MS: '30000' },
      }),
    );
    const api = createClient(`${replica.url}/graphql`);
    const a = await api.register();
    const id = (await api.ok(`mutation { createConversation { id } }`, {}, { token: a.token })).createConversation.id;
    // A model that takes 12 s to finish its answer.
    llm.script({ text: ['Slow ', 'but ', 'sure.'], delayMs: 12_000 });
    const started = Date.now();
    const reply = api.gql(
      `mutation M($c: ID!) { sendMessage(conversationId: $c, content: "hello") { assistantMessage { content } } }`,
      { c: id },
      { token: a.token },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    replica.child.kill('SIGTERM');
    const res = await reply;
    expect(res.errors).toBeUndefined();
    expect(res.data.sendMessage.assistantMessage.content).toBe('Slow but sure.');
    expect(Date.now() - started).toBeGreaterThan(11_000);
    expect(await replica.exited).toBe(0);
  }, 60_000);
});
