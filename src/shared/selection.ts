import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * The names of the fields the operation selects at `path` below the field being resolved (e.g.
 * ['edges', 'node'] of a connection), through fragments and inline fragments. Directives are not
 * evaluated: a field under @skip counts as selected, which only means loading it ahead for nothing.
 */
export function selectedFields(info: GraphQLResolveInfo, path: string[]): Set<string> {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const name of path)
    sets = sets.flatMap((set) =>
      fieldsOf(set, info)
        .filter((f) => f.name === name && f.set)
        .map((f) => f.set!),
    );
  return new Set(sets.flatMap((set) => fieldsOf(set, info).map((f) => f.name)));
}

function fieldsOf(
  set: SelectionSetNode,
  info: GraphQLResolveInfo,
  seen = new Set<string>(),
): Array<{ name: string; set?: SelectionSetNode }> {
  return set.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [{ name: selection.name.value, set: selection.selectionSet }];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet, info, seen);
    const name = selection.name.value;
    const fragment = info.fragments[name];
    if (!fragment || seen.has(name)) return [];
    return fieldsOf(fragment.selectionSet, info, new Set([...seen, name]));
  });
}
