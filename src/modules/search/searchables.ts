import { type SQL, sql } from 'drizzle-orm';
import { visibleListIds } from '../tasks/index.js';
import { SearchableType } from './search.type.js';

/** The text of a journal entry: every string in its JSON content. */
const journalText = sql.raw(
  `(select coalesce(string_agg(v #>> '{}', ' '), '') from jsonb_path_query(j.content, 'strict $.** ? (@.type() == "string")') v)`,
);

/**
 * Each searchable type as search sees it: its table (aliased), which rows the viewer may see, its
 * title and the plain text a snippet is cut from, and its generated tsvector column `search`.
 */
export interface Searchable {
  type: SearchableType;
  /** Its table and the alias the expressions below use. */
  table: string;
  as: string;
  visible: (viewerId: string) => SQL;
  title: SQL;
  text: SQL;
  /** The text that is embedded for semantic search (title included). */
  embed: SQL;
  /** Who wrote it, for the assistant's approval rule. */
  author: SQL;
}

export const SEARCHABLES: Searchable[] = [
  {
    type: SearchableType.TASK,
    table: 'tasks',
    as: 't',
    visible: (viewerId) => sql`t.list_id in ${visibleListIds(viewerId)}`,
    title: sql.raw('t.title'),
    text: sql.raw(`t.title || ' ' || coalesce(t.notes, '')`),
    embed: sql.raw(`t.title || E'\n' || coalesce(t.notes, '')`),
    author: sql.raw('t.text_author_id'),
  },
  {
    type: SearchableType.DOCUMENT,
    table: 'documents',
    as: 'd',
    visible: (viewerId) => sql`d.owner_id = ${viewerId}`,
    title: sql.raw('d.title'),
    text: sql.raw('d.content'),
    embed: sql.raw(`d.title || E'\n' || d.content`),
    author: sql.raw('d.owner_id'),
  },
  {
    type: SearchableType.JOURNAL_ENTRY,
    table: 'journal_entries',
    as: 'j',
    visible: (viewerId) => sql`j.user_id = ${viewerId}`,
    title: sql.raw(`initcap(replace(j.type::text, '_', ' ')) || ' ' || j.date::text`),
    text: journalText,
    embed: journalText,
    author: sql.raw('j.user_id'),
  },
  {
    type: SearchableType.EVENT,
    table: 'events',
    as: 'e',
    // Organised by the viewer, or an invitation not declined (as the calendar shows them).
    visible: (viewerId) =>
      sql`(e.organizer_id = ${viewerId} or e.id in (select i.event_id from invitations i where i.invitee_id = ${viewerId} and i.status <> 'DECLINED'))`,
    title: sql.raw('e.title'),
    text: sql.raw(`coalesce(e.description, '') || ' ' || coalesce(e.location, '')`),
    embed: sql.raw(`e.title || E'\n' || coalesce(e.description, '') || E'\n' || coalesce(e.location, '')`),
    author: sql.raw('e.organizer_id'),
  },
  {
    type: SearchableType.EMAIL,
    table: 'email_messages',
    as: 'm',
    visible: (viewerId) => sql`m.user_id = ${viewerId}`,
    title: sql.raw('m.subject'),
    // Headlines read the same prefix the index holds (the search column takes 200,000 characters).
    text: sql.raw(`left(coalesce(m.text, m.snippet), 200000)`),
    embed: sql.raw(`m.subject || E'\n' || left(coalesce(m.text, m.snippet), 50000)`),
    // Email is never the viewer's own writing for the assistant's approval rule.
    author: sql.raw('null::uuid'),
  },
  {
    type: SearchableType.TICKET,
    table: 'tickets',
    as: 'k',
    // Tickets of boards the viewer is a member of; public submissions waiting for confirmation are no one's yet.
    visible: (viewerId) =>
      sql`(k.confirmed and k.board_id in (select bm.board_id from board_members bm where bm.user_id = ${viewerId}))`,
    title: sql.raw(`(select b.key from boards b where b.id = k.board_id) || '-' || k.number || ' ' || k.title`),
    text: sql.raw(`left(coalesce(k.description, ''), 200000)`),
    embed: sql.raw(`k.title || E'\n' || left(coalesce(k.description, ''), 50000)`),
    // A member's ticket is their writing; what a requester wrote (mail, the public form) is no member's.
    author: sql.raw(`(case when k.channel in ('APP', 'ASSISTANT') then k.created_by_id end)`),
  },
  {
    type: SearchableType.CAPTURE,
    table: 'captures',
    as: 'c',
    visible: (viewerId) => sql`c.user_id = ${viewerId}`,
    // Its first line names it.
    title: sql.raw(`left(split_part(coalesce(c.text, ''), E'\n', 1), 120)`),
    text: sql.raw(`left(coalesce(c.text, ''), 200000)`),
    embed: sql.raw(`left(coalesce(c.text, ''), 50000)`),
    // An email's words are nobody's writing here; the rest the viewer sent in.
    author: sql.raw(`(case when c.source <> 'EMAIL' then c.user_id end)`),
  },
];

export const searchableOf = (type: SearchableType) => SEARCHABLES.find((s) => s.type === type);
