/** Assistant conversations: their messages, the model-call log, the reply stream (the assistant module writes them). */
import './topics.js';
export { ConversationService } from './conversation.service.js';
export { type ConversationLoaders, createConversationLoaders } from './conversation.loaders.js';
export { ConversationResolver } from './conversation.resolver.js';
export {
  Message,
  MessageChunk,
  MessageRole,
  SendMessagePayload,
  type ConversationRow,
  type MessageRow,
} from './conversation.type.js';
