import type { NonEmptyArray } from 'type-graphql';
import type { App } from '../app.js';
import type { Db } from '../db/client.js';
import { AccountResolver } from './accounts/account.resolver.js';
import { AccountService } from './accounts/account.service.js';
import { AdminResolver } from './accounts/admin.resolver.js';
import { AdminService } from './accounts/admin.service.js';
import { ApiKeysResolver } from './accounts/api-keys.resolver.js';
import { ApiKeysService } from './accounts/api-keys.service.js';
import { AuthResolver } from './accounts/auth.resolver.js';
import { AuthService } from './accounts/auth.service.js';
import { SessionsService } from './accounts/sessions.service.js';
import { createAccountLoaders } from './accounts/user.loaders.js';
import { UserResolver } from './accounts/user.resolver.js';
import { ActivityResolver } from './activity/activity.resolver.js';
import { LabelResolver } from './tasks/label.resolver.js';
import { LabelService } from './tasks/label.service.js';
import { TaskListResolver, ListMemberResolver } from './tasks/task-list.resolver.js';
import { TaskListService } from './tasks/task-list.service.js';
import { applyPendingShares, releaseTasksOf } from './tasks/task.hooks.js';
import { createTaskLoaders } from './tasks/task.loaders.js';
import { TaskResolver } from './tasks/task.resolver.js';
import { TaskEventsResolver } from './tasks/task-events.resolver.js';
import { NotificationResolver } from './notifications/notification.resolver.js';
import { UsageResolver } from './usage/usage.resolver.js';
import { UsageService } from './usage/usage.service.js';
import { ConversationResolver } from './conversations/conversation.resolver.js';
import { ConversationService } from './conversations/conversation.service.js';
import { createConversationLoaders } from './conversations/conversation.loaders.js';
import { EventResolver, InvitationResolver } from './calendar/event.resolver.js';
import { EventService } from './calendar/event.service.js';
import { createEventLoaders } from './calendar/event.loaders.js';
import { linkInvitations } from './calendar/event.hooks.js';
import { DocumentResolver, TagResolver } from './documents/document.resolver.js';
import { DocumentService } from './documents/document.service.js';
import { createDocumentLoaders } from './documents/document.loaders.js';
import { JournalResolver } from './journal/journal.resolver.js';
import { JournalService } from './journal/journal.service.js';
import { DashboardResolver } from './dashboard/dashboard.resolver.js';
import { DashboardService } from './dashboard/dashboard.service.js';
import { ExportResolver } from './dashboard/export.resolver.js';
import { ExportService } from './dashboard/export.service.js';
import { TaskService } from './tasks/task.service.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  AuthResolver,
  AccountResolver,
  ApiKeysResolver,
  AdminResolver,
  UserResolver,
  TaskListResolver,
  ListMemberResolver,
  TaskResolver,
  LabelResolver,
  ActivityResolver,
  TaskEventsResolver,
  NotificationResolver,
  UsageResolver,
  ConversationResolver,
  EventResolver,
  InvitationResolver,
  DocumentResolver,
  TagResolver,
  JournalResolver,
  DashboardResolver,
  ExportResolver,
];

export function createServices(app: App) {
  const sessions = new SessionsService(app);
  const usage = new UsageService(app);
  return {
    usage,
    conversations: new ConversationService(app, usage),
    sessions,
    auth: new AuthService(app, sessions, [applyPendingShares, linkInvitations]),
    account: new AccountService(app, sessions, [releaseTasksOf]),
    apiKeys: new ApiKeysService(app),
    admin: new AdminService(app, sessions),
    taskLists: new TaskListService(app),
    tasks: new TaskService(app),
    labels: new LabelService(app),
    events: new EventService(app),
    documents: new DocumentService(app),
    journal: new JournalService(app),
    dashboard: new DashboardService(app),
    exporter: new ExportService(app),
  };
}
export type Services = ReturnType<typeof createServices>;

type AllLoaders = ReturnType<typeof createAccountLoaders> &
  ReturnType<typeof createTaskLoaders> &
  ReturnType<typeof createConversationLoaders> &
  ReturnType<typeof createEventLoaders> &
  ReturnType<typeof createDocumentLoaders>;

/**
 * Fresh DataLoaders for one request (or one delivered subscription event), scoped to its viewer.
 * Built on first use: a request or an idle subscription that never loads a relation pays nothing.
 */
export function createLoaders(db: Db, viewerId: string | null): AllLoaders {
  let built: AllLoaders | undefined;
  const all = () =>
    (built ??= {
      ...createAccountLoaders(db),
      ...createTaskLoaders(db, viewerId),
      ...createConversationLoaders(db),
      ...createEventLoaders(db, viewerId),
      ...createDocumentLoaders(db),
    });
  return new Proxy({} as AllLoaders, { get: (_target, key) => all()[key as keyof AllLoaders] });
}
export type Loaders = AllLoaders;
