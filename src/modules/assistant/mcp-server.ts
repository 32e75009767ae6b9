import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Viewer } from '../../shared/viewer.js';
import type { ActionService } from './action.service.js';
import { schemaOf, toolsFor } from './tools/registry.js';

/**
 * The workspace's tools over the Model Context Protocol, for one authenticated viewer: the same
 * registry, the same approval rules and activity rows (source MCP). Each tools/call is its own turn.
 */
export function mcpServerFor(viewer: Viewer, actions: ActionService, version: string): Server {
  const server = new Server({ name: 'orbit', version }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: toolsFor(viewer.scopes).map((t) => ({
      name: t.name,
      description: `${t.description} (${t.risk}${t.risk === 'EXTERNAL' ? ': waits for the user’s approval' : ''})`,
      inputSchema: schemaOf(t) as { type: 'object' },
      annotations: {
        readOnlyHint: t.risk === 'READ',
        destructiveHint: t.name === 'delete_task',
        openWorldHint: t.risk === 'EXTERNAL',
      },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    // Each call is its own request, but taint outlives it: a credential that read foreign content
    // keeps its WRITE calls waiting for MCP_TAINT_WINDOW_S.
    const action = await actions.propose(
      viewer,
      { tool: request.params.name, arguments: request.params.arguments ?? {}, source: 'MCP' },
      { readUntrusted: await actions.credentialTainted(viewer) },
    );
    if (action.foreign) await actions.taintCredential(viewer);
    const text = (value: unknown) => [
      { type: 'text' as const, text: typeof value === 'string' ? value : JSON.stringify(value) },
    ];
    switch (action.status) {
      case 'EXECUTED':
        return {
          content: text(action.result),
          structuredContent: {
            actionId: action.id,
            status: action.status,
            result: action.result as Record<string, unknown>,
          },
        };
      case 'PENDING':
        return {
          content: text(
            `Action ${action.id} is PENDING (${action.approvalReason}): it runs once the user approves it in Orbit.`,
          ),
          structuredContent: { actionId: action.id, status: action.status, approvalReason: action.approvalReason },
        };
      default:
        return {
          isError: true,
          content: text(action.error ?? action.status),
          structuredContent: { actionId: action.id, status: action.status, error: action.error },
        };
    }
  });
  return server;
}
