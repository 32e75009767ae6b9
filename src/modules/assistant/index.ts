/** The assistant that acts: the turn loop over the model provider, the tools, actions and approvals, MCP. */
import './topics.js';
export { Agent } from './agent.js';
export { modelTriageKind } from './capture-triage-job.js';
export { ActionService } from './action.service.js';
export { expirePending } from './action-reads.js';
export { type AssistantLoaders, createAssistantLoaders } from './action.loaders.js';
export { AssistantResolver, MessageActionsResolver } from './assistant.resolver.js';
/** The MCP server, loaded with the first MCP request (the SDK is large). */
export const loadMcpServer = () => import('./mcp-server.js');
