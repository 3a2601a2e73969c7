import type { SchemaNode } from '../build/schema.ts';

/**
 * What a new values schema refuses that an old one accepted: a value removed or renamed, a type, enum,
 * bound or pattern narrowed, an object closed, a key made required. Any of these can turn an existing
 * user's values file into a failed `helm upgrade`, so each needs a breaking version (releases.ts,
 * nextBreakingVersion) with an upgrade note. Both schemas are
 * whole chart schemas (their $refs point into their own #/definitions). Returns one line per finding,
 * naming the value's path.
 */
export function schemaNarrowings(before: SchemaNode, after: SchemaNode): string[] {
  const findings: string[] = [];
  const visited = new Set<string>();

  const visit = (old: SchemaNode, now: SchemaNode, where: string) => {
    // Definitions may refer to each other (and to themselves): each pair of them is compared once.
    const pair = definitionPair(old, now);
    if (pair) {
      if (visited.has(pair)) return;
      visited.add(pair);
    }
    const b = flatten(before, old);
    const a = flatten(after, now);
    const at = where || '(root)';

    const oldTypes = typesOf(b);
    const newTypes = typesOf(a);
    if (newTypes && (!oldTypes || oldTypes.some((type) => !accepts(newTypes, type)))) {
      findings.push(`${at}: type narrowed from ${oldTypes?.join('|') ?? 'any'} to ${newTypes.join('|')}`);
    }
    if (a.enum) {
      const dropped = b.enum ? b.enum.filter((member) => !a.enum!.some((kept) => JSON.stringify(kept) === JSON.stringify(member))) : ['(any value)'];
      if (dropped.length > 0) findings.push(`${at}: no longer accepts ${dropped.map((member) => JSON.stringify(member)).join(', ')}`);
    }
    for (const bound of ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const) {
      const was = b[bound] as number | undefined;
      const is = a[bound] as number | undefined;
      if (is !== undefined && (was === undefined || is > was)) findings.push(`${at}: ${bound} raised from ${was ?? 'none'} to ${is}`);
    }
    for (const bound of ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const) {
      const was = b[bound] as number | undefined;
      const is = a[bound] as number | undefined;
      if (is !== undefined && (was === undefined || is < was)) findings.push(`${at}: ${bound} lowered from ${was ?? 'none'} to ${is}`);
    }
    if (a.pattern !== undefined && a.pattern !== b.pattern) findings.push(`${at}: pattern changed from ${b.pattern ?? 'none'} to ${a.pattern}`);
    const newlyRequired = (a.required ?? []).filter((name) => !(b.required ?? []).includes(name));
    if (newlyRequired.length > 0) findings.push(`${at}: now requires ${newlyRequired.join(', ')}`);

    for (const [name, child] of Object.entries(b.properties ?? {})) {
      const path = where ? `${where}.${name}` : name;
      const successor = a.properties?.[name] ?? (a.additionalProperties === false ? undefined : openValue(a));
      if (!successor) findings.push(`${path}: removed or renamed`);
      else visit(child, successor, path);
    }
    // A key the old schema did not name but took, as an open object does, is narrowed by its new schema.
    if (b.additionalProperties !== false) {
      for (const [name, child] of Object.entries(a.properties ?? {})) {
        if (!b.properties?.[name]) visit(openValue(b), child, where ? `${where}.${name}` : name);
      }
    }
    if (b.additionalProperties !== false && a.additionalProperties === false && a.properties === undefined) {
      findings.push(`${at}: closed to keys it took before`);
    } else if (b.additionalProperties !== false && a.additionalProperties === false) {
      findings.push(`${at}: closed to keys other than ${Object.keys(a.properties ?? {}).join(', ')}`);
    } else if (typeof b.additionalProperties === 'object' && typeof a.additionalProperties === 'object') {
      visit(b.additionalProperties, a.additionalProperties, `${where}.*`);
    }
    if (b.propertyNames && a.propertyNames) visit(b.propertyNames as SchemaNode, a.propertyNames as SchemaNode, `${where} (keys)`);
    else if (a.propertyNames) findings.push(`${at}: key names now restricted`);
    if (b.items && a.items) visit(b.items, a.items, `${where}[]`);
  };

  visit(before, after, '');
  return findings;
}

/** A node with its $ref followed and its allOf members merged in, as one set of keywords. */
function flatten(root: SchemaNode, node: SchemaNode): SchemaNode {
  let merged: SchemaNode = { ...node };
  if (node.$ref) {
    const name = /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1];
    const target = name ? root.definitions?.[name] : undefined;
    const { $ref: _ref, ...siblings } = node;
    merged = { ...(target ? flatten(root, target) : {}), ...siblings };
  }
  for (const member of (merged.allOf as SchemaNode[] | undefined) ?? []) {
    const resolved = flatten(root, member);
    merged = {
      ...resolved,
      ...merged,
      properties: merged.properties || resolved.properties ? { ...resolved.properties, ...merged.properties } : undefined,
      required: [...(resolved.required ?? []), ...(merged.required ?? [])],
      additionalProperties: merged.additionalProperties ?? resolved.additionalProperties,
    };
  }
  delete merged.allOf;
  return merged;
}

function typesOf(node: SchemaNode): string[] | undefined {
  if (node.type === undefined) return undefined;
  return Array.isArray(node.type) ? node.type : [node.type];
}

function accepts(types: string[], type: string): boolean {
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

/** What an open object takes for a key it does not name. */
function openValue(node: SchemaNode): SchemaNode {
  return typeof node.additionalProperties === 'object' ? node.additionalProperties : {};
}

/** "old>new" when both nodes name a definition ($ref, or allOf with a $ref), so recursion through definitions stops. */
function definitionPair(old: SchemaNode, now: SchemaNode): string | undefined {
  const named = (node: SchemaNode) => node.$ref ?? (node.allOf as SchemaNode[] | undefined)?.find((member) => member.$ref)?.$ref;
  const oldRef = named(old);
  const newRef = named(now);
  return oldRef && newRef ? `${oldRef}>${newRef}` : undefined;
}
