import { sql } from 'drizzle-orm';
import { execRows } from '../../src/db/client.js';
import type { Account } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';

export const SEND = `mutation S($c: ID!, $t: String!) { sendMessage(conversationId: $c, content: $t) {
  userMessage { id } assistantMessage { id content stopReason actions { id tool status } } usage { tokensUsed requestCount } } }`;
export const ACTION = `fragment A on AssistantAction { id conversationId tool risk arguments status approvalReason result error source decidedAt executedAt expiresAt }`;
export const ACTIONS = `query A($s: AssistantActionStatus) { assistantActions(status: $s, first: 100) { totalCount edges { node { ...A } } } } ${ACTION}`;
export const APPROVE = `mutation A($id: ID!) { approveAssistantAction(id: $id) { ...A } } ${ACTION}`;
export const DENY = `mutation D($id: ID!, $r: String) { denyAssistantAction(id: $id, reason: $r) { ...A } } ${ACTION}`;

export async function conversation(s: TestServer, who: Account): Promise<string> {
  return (await s.ok(`mutation { createConversation { id } }`, {}, { token: who.token })).createConversation.id;
}

export async function taskList(s: TestServer, who: Account, name = 'Home'): Promise<string> {
  return (
    await s.ok(
      `mutation L($n: String!) { createTaskList(input: { name: $n }) { id } }`,
      { n: name },
      { token: who.token },
    )
  ).createTaskList.id;
}

export async function actions(s: TestServer, who: Account, status?: string): Promise<any[]> {
  return (await s.ok(ACTIONS, { s: status ?? null }, { token: who.token })).assistantActions.edges
    .map((e: any) => e.node)
    .reverse();
}

/** The messages of a conversation, oldest first, with their roles, content and actions. */
export async function messagesOf(s: TestServer, who: Account, id: string): Promise<any[]> {
  const q = `query C($id: ID!) { conversation(id: $id) { messages(first: 100) { edges { node { role content stopReason actions { tool status } } } } } }`;
  return (await s.ok(q, { id }, { token: who.token })).conversation.messages.edges.map((e: any) => e.node);
}

export async function modelCalls(s: TestServer, who: Account, id: string): Promise<any[]> {
  return (
    await s.ok(
      `query C($id: ID!) { conversation(id: $id) { modelCalls { status finishReason promptTokens completionTokens } } }`,
      { id },
      { token: who.token },
    )
  ).conversation.modelCalls;
}

/** Tokens still held for calls in flight (zero once every call has been metered or released). */
export async function heldTokens(s: TestServer, userId: string): Promise<number> {
  return Number(
    (
      await execRows<{ n: number }>(
        s.server.app.db,
        sql`select coalesce(sum(reserved_tokens), 0)::int as n from monthly_usage where user_id = ${userId}`,
      )
    )[0]!.n,
  );
}

export async function activityVerbs(s: TestServer, userId: string): Promise<string[]> {
  const rows = await execRows<{ verb: string }>(
    s.server.app.db,
    sql`select verb from activities where actor_id = ${userId} order by created_at, id`,
  );
  return rows.map((r) => r.verb);
}

/** The tool messages (role tool, or a later result told as a system note) the provider was sent last. */
export function toolReplies(body: any): any[] {
  return body.messages
    .filter((m: any) => m.role === 'tool')
    .map((m: any) => ({ id: m.tool_call_id, ...JSON.parse(m.content) }));
}

/** Reservations neither settled nor released (a call in flight, or one lost to a crash until it lapses). */
export async function openReservations(s: TestServer, userId: string): Promise<number> {
  return Number(
    (
      await execRows<{ n: number }>(
        s.server.app.db,
        sql`select count(*)::int as n from usage_reservations where user_id = ${userId} and settled_at is null and released_at is null`,
      )
    )[0]!.n,
  );
}

/** A new API key of `who` with these scopes: its secret. */
export async function apiKey(s: TestServer, who: Account, scopes: string[]): Promise<string> {
  return (
    await s.ok(
      `mutation K($s: [ApiKeyScope!]!) { createApiKey(input: { name: "agent", scopes: $s }) { secret } }`,
      { s: scopes },
      { token: who.token },
    )
  ).createApiKey.secret as string;
}

/** Raw JSON-RPC over POST /mcp (one message or a batch), as any MCP client may send it. */
export function mcpRpc(s: TestServer, credential: string, body: unknown): Promise<Response> {
  return fetch(`${s.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${credential}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify(body),
  });
}
