/** Assistant conversations: messages, streamed replies from the model provider, metered. */
import './topics.js';
export { ConversationService } from './conversation.service.js';
export { type ConversationLoaders, createConversationLoaders } from './conversation.loaders.js';
export { ConversationResolver } from './conversation.resolver.js';
