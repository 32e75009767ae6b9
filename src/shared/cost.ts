import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from './pagination.js';

/** An unpaginated list (members, labels, ...) is costed as this many items. */
const UNBOUNDED_LIST = 5;

/** How many items a field multiplies its selection by. */
function multiplier(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  // A connection's edges are already counted by its `first`.
  if (field.name === 'edges' || field.name === 'nodes') return 1;
  // Introspection lists the schema, whose size is fixed: its lists multiply nothing (and in
  // production introspection is off). The document limits bound it like any other selection.
  if (getNamedType(field.type).name.startsWith('__')) return 1;
  const size = typeof args.first === 'number' ? args.first : typeof args.limit === 'number' ? args.limit : null;
  if (size !== null) return Math.max(size, 1);
  if (field.args.some((a) => a.name === 'first')) return DEFAULT_PAGE_SIZE;
  if (isListType(getNullableType(field.type))) return UNBOUNDED_LIST;
  return 1;
}

/**
 * The cost of an operation: every field costs 1; a connection with `first` (or a list with
 * `limit`) multiplies its selection by that size (20 when absent), any other list by 5. Fields left
 * out by @skip/@include cost nothing. The document limits have bounded its size before this runs.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const included = (node: { directives?: readonly unknown[] }) => {
    if (!node.directives?.length) return true;
    if (getDirectiveValues(GraphQLSkipDirective, node as never, variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node as never, variables)?.if !== false;
  };
  const fieldOf = (parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined => {
    if (name === SchemaMetaFieldDef.name && parent === schema.getQueryType()) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name && parent === schema.getQueryType()) return TypeMetaFieldDef;
    return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
  };
  const cost = (set: SelectionSetNode, parent: GraphQLCompositeType, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (!included(sel)) continue;
      if (sel.kind === Kind.FIELD) {
        const field = fieldOf(parent, sel.name.value);
        if (!field) {
          total += 1; // __typename, or a field validation has refused already
          continue;
        }
        const child = getNamedType(field.type);
        const inner = sel.selectionSet && isCompositeType(child) ? cost(sel.selectionSet, child, seen) : 0;
        let args: Record<string, unknown> = {};
        try {
          args = getArgumentValues(field, sel, variables);
        } catch {
          /* arguments that do not coerce are refused by the input gate */
        }
        total += 1 + inner * multiplier(field, args);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += cost(sel.selectionSet, type, seen);
      } else {
        const fragment = fragments.get(sel.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && type && isCompositeType(type) && !seen.has(fragment.name.value))
          total += cost(fragment.selectionSet, type, new Set([...seen, fragment.name.value]));
      }
    }
    return total;
  };
  const root = schema.getRootType(operation.operation);
  return root ? cost(operation.selectionSet, root, new Set()) : 0;
}
