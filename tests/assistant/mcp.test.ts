import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { APPROVE, actions, activityVerbs, taskList, apiKey as newApiKey } from './agent-helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ MCP_REQUESTS_PER_MINUTE: '40' });
});
afterAll(() => closeAll(s));

/** The SDK's own client over Streamable HTTP, with a bearer credential. */
async function mcp(credential: string): Promise<Client> {
  const client = new Client({ name: 'orbit-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${credential}` } },
    }),
  );
  return client;
}
const apiKey = (who: Account, scopes: string[]) => newApiKey(s, who, scopes);
const textOf = (r: any) => r.content.map((c: any) => c.text).join('');

describe('MCP at POST /mcp', () => {
  it('lists the tools and calls READ, WRITE and EXTERNAL ones under the same rules', async () => {
    const [a, b] = [await s.register(), await s.register()];
    const listId = await taskList(s, a);
    const client = await mcp(await apiKey(a, ['READ', 'WRITE']));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toHaveLength(24);
    const create = tools.find((t) => t.name === 'create_task')!;
    expect(create.inputSchema).toMatchObject({ type: 'object', required: ['listId', 'title'] });
    expect(tools.find((t) => t.name === 'search_tasks')!.annotations).toMatchObject({ readOnlyHint: true });

    const made = await client.callTool({ name: 'create_task', arguments: { listId, title: 'From an agent' } });
    expect(made.isError).toBeFalsy();
    expect(JSON.parse(textOf(made)).task.title).toBe('From an agent');
    const found = await client.callTool({ name: 'search_tasks', arguments: { query: 'agent' } });
    expect(JSON.parse(textOf(found)).tasks.map((t: any) => t.title)).toEqual(['From an agent']);

    const shared = await client.callTool({
      name: 'share_task_list',
      arguments: { listId, email: b.email, role: 'VIEWER' },
    });
    expect(shared.isError).toBeFalsy();
    const pending = await actions(s, a, 'PENDING');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      tool: 'share_task_list',
      source: 'MCP',
      approvalReason: 'EXTERNAL_EFFECT',
      conversationId: null,
    });
    expect(textOf(shared)).toContain(pending[0].id);
    expect(shared.structuredContent).toMatchObject({ actionId: pending[0].id, status: 'PENDING' });

    const bad = await client.callTool({ name: 'create_task', arguments: { title: 'no list' } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/^Invalid arguments: listId/);
    const unknown = await client.callTool({ name: 'format_disk', arguments: {} });
    expect(unknown).toMatchObject({ isError: true });

    // Every call is an action with source MCP and its activity row; the approval runs it as for the assistant.
    expect((await actions(s, a)).map((x) => [x.tool, x.status, x.source])).toEqual([
      ['create_task', 'EXECUTED', 'MCP'],
      ['search_tasks', 'EXECUTED', 'MCP'],
      ['share_task_list', 'PENDING', 'MCP'],
      ['create_task', 'FAILED', 'MCP'],
      ['format_disk', 'FAILED', 'MCP'],
    ]);
    expect(await activityVerbs(s, a.userId)).toEqual(
      expect.arrayContaining(['assistant.create_task', 'assistant.search_tasks']),
    );
    expect((await s.ok(APPROVE, { id: pending[0].id }, { token: a.token })).approveAssistantAction.status).toBe(
      'EXECUTED',
    );
    await client.close();
  });

  it('a READ key sees and may call READ tools only; an access token works too', async () => {
    const a = await s.register();
    const listId = await taskList(s, a);
    const reader = await mcp(await apiKey(a, ['READ']));
    const { tools } = await reader.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'search_tasks',
      'list_events',
      'search_documents',
      'get_journal_entry',
      'search_workspace',
      'search_email',
      'search_tickets',
      'list_projects',
    ]);
    const refused = await reader.callTool({ name: 'create_task', arguments: { listId, title: 'nope' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe('FORBIDDEN: this API key may only read');
    expect(
      (await s.ok(`query L($l: ID!) { taskList(id: $l) { tasks { totalCount } } }`, { l: listId }, { token: a.token }))
        .taskList.tasks.totalCount,
    ).toBe(0);
    await reader.close();
    const session = await mcp(a.token);
    expect((await session.listTools()).tools).toHaveLength(24);
    await session.close();
  });

  it('refuses missing or bad credentials with 401, and too many requests with 429', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const post = (headers: Record<string, string>) =>
      fetch(`${s.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(init),
      });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post({ authorization: 'Bearer orbit_nope' })).status).toBe(401);
    expect((await fetch(`${s.url}/mcp`)).status).toBe(405);
    const a = await s.register();
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await post({ authorization: `Bearer ${a.token}` })).status);
    expect(statuses.slice(0, 40).every((x) => x === 200)).toBe(true);
    const last = await post({ authorization: `Bearer ${a.token}` });
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
