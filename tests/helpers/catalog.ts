import { sql } from 'drizzle-orm';
import { execRows, type Queryable } from '../../src/db/client.js';

/**
 * A dump of the catalog of schema `public` as sorted lines of text: tables and sequences, columns
 * (type, nullability, default, generation, in table order), constraints, indexes, triggers,
 * functions, enum types with their labels in order, and the extensions with their versions. Objects
 * that belong to an extension (pgvector's type and functions) are the extension's line only.
 * Internal numbers (OIDs, attnums of dropped columns) are left out: two databases with the same
 * schema dump the same.
 */
export async function catalogDump(q: Queryable): Promise<string[]> {
  const notFromExtension = (oid: string, catalog: string) =>
    `not exists (select 1 from pg_depend d where d.classid = '${catalog}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;
  const queries: string[] = [
    `select 'relation ' || c.relname || ' ' || c.relkind::text as line from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and ${notFromExtension('c.oid', 'pg_class')}`,
    `select 'columns ' || c.relname || ': ' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        || case when a.attnotnull then ' not null' else '' end
        || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
        || case when a.attgenerated <> '' then ' generated ' || a.attgenerated::text else '' end
        || case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end, ', ' order by a.attnum) as line
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
      where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
        and ${notFromExtension('c.oid', 'pg_class')}
      group by c.relname`,
    `select 'constraint ' || c.relname || '.' || con.conname || ' ' || pg_get_constraintdef(con.oid) as line
      from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public'`,
    `select 'index ' || indexdef as line from pg_indexes where schemaname = 'public'`,
    `select 'trigger ' || pg_get_triggerdef(t.oid) as line from pg_trigger t join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and not t.tgisinternal`,
    `select 'function ' || pg_get_functiondef(p.oid) as line from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and ${notFromExtension('p.oid', 'pg_proc')}`,
    `select 'enum ' || t.typname || ' (' || string_agg(e.enumlabel, ', ' order by e.enumsortorder) || ')' as line
      from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
      where n.nspname = 'public' group by t.typname`,
    `select 'type ' || t.typname || ' ' || t.typtype::text as line from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = 'public' and t.typtype in ('d', 'r', 'm') and ${notFromExtension('t.oid', 'pg_type')}`,
    `select 'extension ' || extname || ' ' || extversion as line from pg_extension`,
  ];
  const lines: string[] = [];
  for (const query of queries) {
    const rows = await execRows<{ line: string }>(q, sql.raw(query));
    lines.push(...rows.map((r) => r.line));
  }
  return lines.sort();
}
