import { deleteTask, inviteToEvent, shareTaskList } from './external-tools.js';
import { getJournalEntry, listEvents, searchDocuments, searchTasks, searchWorkspace } from './read-tools.js';
import { draftEmail, searchEmail, sendEmail } from './mail-tools.js';
import { commentOnTicket, createTicket, moveTicket, searchTickets, updateTicket } from './ticket-tools.js';
import { createCapture, createProject, listProjects } from './organize-tools.js';
import { type Tool, parametersOf } from './tool.js';
import { createDocument, createEvent, createTask, updateTask, writeJournalEntry } from './write-tools.js';

/** Every tool the assistant and MCP clients may call, by name. */
export const TOOLS: readonly Tool[] = [
  searchTasks,
  listEvents,
  searchDocuments,
  getJournalEntry,
  searchWorkspace,
  searchEmail,
  searchTickets,
  listProjects,
  createTask,
  updateTask,
  createEvent,
  createDocument,
  writeJournalEntry,
  createProject,
  createCapture,
  draftEmail,
  createTicket,
  updateTicket,
  moveTicket,
  commentOnTicket,
  shareTaskList,
  inviteToEvent,
  deleteTask,
  sendEmail,
];

const byName = new Map(TOOLS.map((t) => [t.name, t]));

export function toolNamed(name: string): Tool | undefined {
  return byName.get(name);
}

/** The tools a viewer may call: a READ-only API key sees the READ tools only. */
export function toolsFor(scopes: readonly string[] | null): Tool[] {
  const canWrite = scopes === null || scopes.includes('WRITE');
  return TOOLS.filter((t) => canWrite || t.risk === 'READ');
}

/** JSON Schemas are built once, when first asked for (not at start). */
const parameters = new Map<string, Record<string, unknown>>();
export function schemaOf(tool: Tool): Record<string, unknown> {
  let schema = parameters.get(tool.name);
  if (!schema) parameters.set(tool.name, (schema = parametersOf(tool)));
  return schema;
}
