import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML, { type ScalarTag } from 'yaml';
import { BuildError } from './errors.ts';
import { paths, relative } from './paths.ts';
import type { SchemaNode } from './schema.ts';
import { generatedNotice } from './text.ts';

/**
 * The JSON Schema of Tempo's configuration file, inferred from defaults: every key in
 * build/tempo-config/*.yaml becomes a property whose type is its default's type, and every object
 * that lists keys is closed, because Tempo refuses unknown keys at start-up.
 *
 * Every node also takes null: Tempo's YAML decoder reads null as the zero value, and in
 * tempo.structuredConfig null removes a key from the generated configuration.
 */

/** The Tempo release this chart deploys (its appVersion), and whose configuration file this describes. */
export const tempoVersion = '2.5.0';

/** The three source files of one series' folder, build/tempo-config/<series>/. */
export function tempoConfigSourcesIn(dir: string) {
  return {
    manifest: path.join(dir, 'manifest.yaml'),
    additions: path.join(dir, 'additions.yaml'),
    receivers: path.join(dir, 'receivers.yaml'),
  };
}

/** Go's time.ParseDuration syntax. */
export const goDurationPattern = '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$';
/** Prometheus model.Duration: Go's units without fractions, plus d, w and y. */
export const prometheusDurationPattern = '^(0|([0-9]+(ms|s|m|h|d|w|y))+)$';
/** The shape time.Duration.String() prints, which is how the default dump writes durations. */
const printedGoDuration = /^(\d+h)?(\d+m)?(\d+(\.\d+)?(s|ms|µs|ns))$/;

class AnyValue {}
class PrometheusDuration {}
class StringEnum {
  constructor(readonly members: string[]) {}
}

const customTags: ScalarTag[] = [
  { tag: '!any', resolve: () => new AnyValue() },
  { tag: '!prometheusDuration', resolve: () => new PrometheusDuration() },
  { tag: '!enum', resolve: (text: string) => new StringEnum(text.split('|')) },
];

const isMarker = (value: unknown) =>
  value instanceof AnyValue || value instanceof PrometheusDuration || value instanceof StringEnum;

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isMarker(value);

function readYaml(file: string): Tree {
  const document = YAML.parseDocument(readFileSync(file, 'utf8'), { customTags, merge: true });
  if (document.errors.length > 0) throw new BuildError(relative(file), document.errors[0]!.message);
  const value = document.toJS({ maxAliasCount: -1 }) as unknown;
  if (!isTree(value)) throw new BuildError(relative(file), 'must be a YAML mapping');
  return value;
}

/** `over` laid onto `base`: mappings merge key by key, anything else replaces. */
function overlay(base: unknown, over: unknown): unknown {
  if (!isTree(base) || !isTree(over) || Object.keys(over).length === 0) return over;
  const result: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) result[key] = key in base ? overlay(base[key], value) : value;
  return result;
}

const nullable = (type: string): string[] => [type, 'null'];

/**
 * The two duration types, defined once and referred to from every duration key. Helm compiles the
 * chart's schema on every install: one regular expression instead of one per key keeps that fast.
 * The names are prefixed because the chart's schema embeds these beside its own definitions.
 */
export const durationDefinitions = {
  tempoGoDuration: { type: ['string', 'integer', 'null'], pattern: goDurationPattern },
  tempoPrometheusDuration: { type: nullable('string'), pattern: prometheusDurationPattern },
} satisfies Record<string, SchemaNode>;
export const goDurationRef = '#/definitions/tempoGoDuration';

/** The schema of a key, inferred from its default. */
function schemaOf(value: unknown, where: string, file: string): SchemaNode {
  if (value === null || value instanceof AnyValue) return {};
  if (value instanceof PrometheusDuration) return { $ref: '#/definitions/tempoPrometheusDuration' };
  if (value instanceof StringEnum) return { type: nullable('string'), enum: [...value.members, null] };
  switch (typeof value) {
    case 'boolean':
      return { type: nullable('boolean') };
    case 'number':
      // Integers and floats alike: a float field whose default is a whole number prints as one.
      return { type: nullable('number') };
    case 'string':
      // Tempo's YAML decoder also takes an integer count of nanoseconds (Tempo's own tests write 0).
      if (printedGoDuration.test(value)) return { $ref: goDurationRef };
      // Tempo's YAML decoder turns any scalar into a string field's text, so numbers and booleans pass.
      return { type: ['string', 'number', 'boolean', 'null'] };
  }
  if (Array.isArray(value)) {
    return value.length === 0
      ? { type: nullable('array') }
      : { type: nullable('array'), items: schemaOf(value[0], `${where}[]`, file) };
  }
  if (isTree(value)) {
    const entries = Object.entries(value);
    // An empty mapping in a default is a map with keys of the user's choosing (labels, tags, metadata).
    if (entries.length === 0) return { type: nullable('object') };
    const properties = Object.fromEntries(
      entries.map(([key, child]) => [key, schemaOf(child, where ? `${where}.${key}` : key, file)]),
    );
    return { type: nullable('object'), properties, additionalProperties: false };
  }
  throw new BuildError(relative(file), `${where} has a default of unsupported type ${typeof value}`);
}

function child(tree: Tree, key: string, file: string): Tree {
  const value = tree[key];
  if (!isTree(value)) throw new BuildError(relative(file), `must hold a mapping under ${key}`);
  return value;
}

/** The schema of one series' configuration file as a plain tree, before repeated blocks are shared. */
function tempoConfigBody(sources: ReturnType<typeof tempoConfigSourcesIn>): SchemaNode {
  const manifest = readYaml(sources.manifest);
  const additions = readYaml(sources.additions);
  const receivers = child(readYaml(sources.receivers), 'receivers', sources.receivers);

  const config = overlay(manifest, child(additions, 'config', sources.additions)) as Tree;
  child(config, 'distributor', sources.manifest).receivers = receivers;
  const schema = schemaOf(config, '', sources.manifest);

  // The flat overrides layout is still read (with a deprecation warning); its keys live beside the nested ones.
  const overrides = schema.properties?.overrides;
  if (!overrides?.properties) throw new BuildError(relative(sources.manifest), 'has no overrides block');
  const legacy = schemaOf(child(additions, 'legacyOverrides', sources.additions), 'overrides', sources.additions);
  overrides.properties = { ...overrides.properties, ...legacy.properties };
  return { type: 'object', properties: schema.properties, additionalProperties: false };
}

/** A schema document of Tempo's configuration file, ready to write or to embed, with repeated blocks shared. */
function tempoConfigDocument(body: SchemaNode, title: string, sourceList: string): SchemaNode {
  const tree = structuredClone(body);
  const shared = shareRepeatedBlocks(tree);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: generatedNotice(sourceList),
    title,
    ...tree,
    definitions: { ...durationDefinitions, ...shared },
  };
}

/** The schema document of one series' configuration file (the folder build/tempo-config/<series>). */
export function tempoConfigSchema(sources = tempoConfigSourcesIn(path.join(paths.tempoConfigSources, '2.5')), title = `Grafana Tempo ${tempoVersion} configuration file`): SchemaNode {
  return tempoConfigDocument(tempoConfigBody(sources), title, Object.values(sources).map(relative).join(', '));
}

/** Every supported series' configuration schema, the union the chart checks structuredConfig with, and per series the keys only others have. */
export interface TempoConfigSchemas {
  bySeries: Record<string, SchemaNode>;
  /** Accepts a key any supported series has; the chart refuses, naming the series, a key the selected one lacks (absentKeys). */
  union: SchemaNode;
  /**
   * Per series, the dotted keys other series have and it does not, each as short as it can be: when a
   * whole block is missing (3.0's compactor), the block alone.
   */
  absentKeys: Record<string, string[]>;
}

export function tempoConfigSchemas(configDir: string, series: Array<{ name: string; release: string }>): TempoConfigSchemas {
  const bodies = series.map(({ name }) => tempoConfigBody(tempoConfigSourcesIn(path.join(configDir, name))));
  const keys = bodies.map((body) => keyPaths(body));
  const union = bodies.reduce((merged, body) => unionOf(merged, body));
  const names = series.map(({ name }) => name);
  return {
    bySeries: Object.fromEntries(
      series.map(({ name, release }, index) => [name, tempoConfigDocument(bodies[index]!, `Grafana Tempo ${release} configuration file`, Object.values(tempoConfigSourcesIn(path.join(configDir, name))).map(relative).join(', '))]),
    ),
    union: tempoConfigDocument(union, `Grafana Tempo ${names.join(', ')} configuration file: a key any of them reads`, `build/tempo-config/{${names.join(',')}}`),
    absentKeys: Object.fromEntries(
      names.map((name, index) => {
        const own = keys[index]!;
        const others = new Set(keys.filter((_, other) => other !== index).flatMap((set) => [...set]));
        const missing = [...others].filter((key) => !own.has(key));
        return [name, missing.filter((key) => !missing.some((shorter) => key.startsWith(`${shorter}.`))).sort()];
      }),
    ),
  };
}

/** Every dotted key a configuration schema names (through properties; map entries are the user's). */
function keyPaths(node: SchemaNode, prefix = ''): Set<string> {
  const found = new Set<string>();
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    found.add(dotted);
    for (const deeper of keyPaths(child, dotted)) found.add(deeper);
  }
  return found;
}

/** A schema that accepts what either accepts: blocks merge key by key; leaves that differ take either form. */
function unionOf(a: SchemaNode, b: SchemaNode): SchemaNode {
  if (JSON.stringify(a) === JSON.stringify(b)) return a;
  if (a.properties && b.properties) {
    const properties: Record<string, SchemaNode> = { ...a.properties };
    for (const [key, child] of Object.entries(b.properties)) properties[key] = key in properties ? unionOf(properties[key]!, child) : child;
    return { ...a, properties };
  }
  const forms = (node: SchemaNode): SchemaNode[] => (Array.isArray(node.anyOf) && Object.keys(node).length === 1 ? (node.anyOf as SchemaNode[]) : [node]);
  const either = [...forms(a), ...forms(b)].filter((form, index, all) => all.findIndex((other) => JSON.stringify(other) === JSON.stringify(form)) === index);
  return either.length === 1 ? either[0]! : { anyOf: either };
}

/** Blocks smaller than this stay where they are: a $ref costs about as much as a small block. */
const sharedBlockMinimumNodes = 8;

/**
 * Moves every block (an object schema with properties) that occurs more than once into a definition
 * of its own, named tempo.<the first path where it occurs>, and refers to it from each place. Ring
 * stores, TLS settings and caches repeat across Tempo's modules: sharing them makes the chart's schema
 * about a fifth smaller, and helm compiles it on every command. Error messages name the same keys.
 */
function shareRepeatedBlocks(root: SchemaNode): Record<string, SchemaNode> {
  const size = (node: unknown): number =>
    Array.isArray(node) ? node.reduce((sum: number, child) => sum + size(child), 0) : isTree(node) ? 1 + Object.values(node).reduce((sum: number, child) => sum + size(child), 0) : 0;
  const counts = new Map<string, number>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isTree(node)) return;
    if (isTree(node.properties) && size(node) >= sharedBlockMinimumNodes) {
      const key = JSON.stringify(node);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    Object.values(node).forEach(visit);
  };
  visit(root.properties);

  const names = new Map<string, string>();
  const definitions: Record<string, SchemaNode> = {};
  const replace = (node: unknown, path: string[], isDefinition = false): unknown => {
    if (Array.isArray(node)) return node.map((child) => replace(child, path));
    if (!isTree(node)) return node;
    const key = JSON.stringify(node);
    if (!isDefinition && (counts.get(key) ?? 0) > 1) {
      if (!names.has(key)) {
        const name = `tempo.${path.join('.')}`;
        names.set(key, name);
        definitions[name] = replace(node, path, true) as SchemaNode;
      }
      return { $ref: `#/definitions/${names.get(key)}` };
    }
    return Object.fromEntries(Object.entries(node).map(([name, child]) => [name, replace(child, name === 'properties' || name === 'items' || name === 'additionalProperties' ? path : [...path, name])]));
  };
  root.properties = replace(root.properties, []) as Record<string, SchemaNode>;
  return definitions;
}
