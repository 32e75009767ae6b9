import type { NonEmptyArray } from 'type-graphql';
import type { Db } from '../db/client.js';
import type { App } from '../shared/app.js';
import {
  AccountResolver,
  AccountService,
  AdminResolver,
  AdminService,
  ApiKeysResolver,
  ApiKeysService,
  AuthResolver,
  AuthService,
  SessionsService,
} from './accounts/index.js';
import { ActivityResolver, ActivityService } from './activity/index.js';
import {
  CaptureResolver,
  CaptureService,
  CaptureSuggestionFields,
  DashboardCaptureFields,
  QuickAddResolver,
  QuickAddService,
  SuggestionService,
  VoiceCaptureResolver,
  CaptureVoiceFields,
  VoiceCaptureService,
  createCaptureLoaders,
} from './capture/index.js';
import {
  ActionService,
  Agent,
  AssistantResolver,
  MessageActionsResolver,
  createAssistantLoaders,
} from './assistant/index.js';
import {
  EventResolver,
  CalendarService,
  InvitationResolver,
  createEventLoaders,
  linkInvitations,
} from './calendar/index.js';
import { ConversationResolver, ConversationService, createConversationLoaders } from './conversations/index.js';
import { DashboardResolver, DashboardService, ExportResolver, ExportService } from './dashboard/index.js';
import { DocumentResolver, DocumentService, TagResolver, createDocumentLoaders } from './documents/index.js';
import { JournalResolver, JournalService } from './journal/index.js';
import {
  DraftService,
  EmailAttachmentFields,
  EmailDraftFields,
  EmailMessageFields,
  MailAccountFields,
  MailAccountService,
  MailResolver,
  MailService,
  MailThreadFields,
  createMailLoaders,
} from './mail/index.js';
import { NotificationResolver, NotificationService } from './notifications/index.js';
import {
  LabelResolver,
  LabelService,
  ListMemberResolver,
  TaskEventsResolver,
  TaskListResolver,
  TaskListService,
  TaskResolver,
  TaskService,
  applyPendingShares,
  createTaskLoaders,
  releaseTasksOf,
} from './tasks/index.js';
import {
  AreaResolver,
  DashboardProjectFields,
  ProjectResolver,
  ProjectSectionResolver,
  ProjectService,
  ProjectStructureService,
  TaskProjectFields,
  createProjectLoaders,
  releaseProjectsOf,
} from './projects/index.js';
import { RelationResolver, SearchResolver, SearchService, createSearchLoaders } from './search/index.js';
import {
  BoardEventsResolver,
  BoardFormResolver,
  BoardInboxResolver,
  BoardMemberResolver,
  BoardResolver,
  BoardService,
  BoardStateResolver,
  BoardStateService,
  PublicFormResolver,
  PublicFormService,
  PublicTicketService,
  TicketCommentResolver,
  TicketCommentService,
  TicketFlowService,
  TicketInboxResolver,
  TicketInboxService,
  TicketResolver,
  TicketService,
  TriageResolver,
  TriageService,
  createTrackerLoaders,
  mailOutbound,
} from './tracker/index.js';
import { UploadResolver, UploadService } from './uploads/index.js';
import { UsageResolver, UsageService } from './usage/index.js';
import { UserResolver, createUserLoaders } from './users/index.js';

/** The modules' part of the composition root: every resolver, service and loader, wired together. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's buildSchema takes resolver classes as Function
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
  ProjectResolver,
  AreaResolver,
  ProjectSectionResolver,
  TaskProjectFields,
  DashboardProjectFields,
  QuickAddResolver,
  UploadResolver,
  CaptureResolver,
  CaptureSuggestionFields,
  DashboardCaptureFields,
  VoiceCaptureResolver,
  CaptureVoiceFields,
  ActivityResolver,
  TaskEventsResolver,
  NotificationResolver,
  UsageResolver,
  ConversationResolver,
  AssistantResolver,
  MessageActionsResolver,
  EventResolver,
  InvitationResolver,
  DocumentResolver,
  TagResolver,
  JournalResolver,
  DashboardResolver,
  ExportResolver,
  SearchResolver,
  RelationResolver,
  MailResolver,
  MailAccountFields,
  MailThreadFields,
  EmailMessageFields,
  EmailAttachmentFields,
  EmailDraftFields,
  BoardResolver,
  BoardMemberResolver,
  BoardStateResolver,
  TicketResolver,
  TicketCommentResolver,
  TriageResolver,
  BoardEventsResolver,
  PublicFormResolver,
  BoardFormResolver,
  TicketInboxResolver,
  BoardInboxResolver,
];

export function createServices(app: App) {
  const sessions = new SessionsService(app);
  const usage = new UsageService(app);
  const journal = new JournalService(app);
  const conversations = new ConversationService(app);
  const actions = new ActionService(app);
  // Mail for PUBLIC comments goes out through the board's inbox (none connected: nothing is sent).
  const outbound = mailOutbound(app);
  return {
    usage,
    activity: new ActivityService(app),
    notifications: new NotificationService(app),
    conversations,
    actions,
    assistant: new Agent(app, usage, conversations, actions),
    sessions,
    auth: new AuthService(app, sessions, [applyPendingShares, linkInvitations]),
    account: new AccountService(app, sessions, [releaseProjectsOf, releaseTasksOf]),
    apiKeys: new ApiKeysService(app),
    admin: new AdminService(app, sessions),
    taskLists: new TaskListService(app),
    tasks: new TaskService(app),
    labels: new LabelService(app),
    projects: new ProjectService(app),
    projectStructure: new ProjectStructureService(app),
    quickAdd: new QuickAddService(app),
    uploads: new UploadService(app),
    captures: new CaptureService(app),
    voiceCaptures: new VoiceCaptureService(app),
    suggestions: new SuggestionService(app),
    calendar: new CalendarService(app),
    documents: new DocumentService(app),
    journal,
    dashboard: new DashboardService(app),
    exporter: new ExportService(app),
    search: new SearchService(app),
    mailAccounts: new MailAccountService(app),
    mail: new MailService(app),
    drafts: new DraftService(app),
    boards: new BoardService(app),
    boardStates: new BoardStateService(app),
    tickets: new TicketService(app),
    ticketFlow: new TicketFlowService(app),
    ticketComments: new TicketCommentService(app, outbound),
    triage: new TriageService(app, outbound),
    publicForms: new PublicFormService(app),
    publicTickets: new PublicTicketService(app),
    ticketInboxes: new TicketInboxService(app),
  };
}
export type Services = ReturnType<typeof createServices>;

type AllLoaders = ReturnType<typeof createUserLoaders> &
  ReturnType<typeof createTaskLoaders> &
  ReturnType<typeof createProjectLoaders> &
  ReturnType<typeof createCaptureLoaders> &
  ReturnType<typeof createConversationLoaders> &
  ReturnType<typeof createEventLoaders> &
  ReturnType<typeof createDocumentLoaders> &
  ReturnType<typeof createAssistantLoaders> &
  ReturnType<typeof createSearchLoaders> &
  ReturnType<typeof createMailLoaders> &
  ReturnType<typeof createTrackerLoaders>;

/**
 * Fresh DataLoaders for one request (or one delivered subscription event), scoped to its viewer.
 * Built on first use: a request or an idle subscription that never loads a relation pays nothing.
 */
export function createLoaders(db: Db, viewerId: string | null): AllLoaders {
  let built: AllLoaders | undefined;
  const all = () =>
    (built ??= {
      ...createUserLoaders(db),
      ...createTaskLoaders(db, viewerId),
      ...createProjectLoaders(db, viewerId),
      ...createCaptureLoaders(db, viewerId),
      ...createConversationLoaders(db),
      ...createEventLoaders(db, viewerId),
      ...createDocumentLoaders(db),
      ...createAssistantLoaders(db),
      ...createSearchLoaders(db, viewerId),
      ...createMailLoaders(db),
      ...createTrackerLoaders(db, viewerId),
    });
  return new Proxy({} as AllLoaders, { get: (_target, key) => all()[key as keyof AllLoaders] });
}
export type Loaders = AllLoaders;
