import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { BuildError } from './errors.ts';
import { paths, relative } from './paths.ts';
import type { SchemaNode } from './schema.ts';
import { generatedNotice } from './text.ts';

/**
 * The JSON Schema of Tempo's configuration file, per series, from the release itself: every key its
 * strict loader accepts, with its type, read by reflection from its own Go types
 * (build/tempo-config/<series>/config-keys.json). Every object is closed, because Tempo refuses
 * unknown keys at start-up. Only the receivers, an open map in Tempo's types decoded by the
 * OpenTelemetry Collector, come from a file of the project's (receivers.yaml).
 *
 * Every node also takes null: Tempo's YAML decoder reads null as the zero value, and in
 * tempo.structuredConfig null removes a key from the generated configuration.
 */

/** The source files of one series' folder, build/tempo-config/<series>/. */
export function tempoConfigSourcesIn(dir: string) {
  return {
    keys: path.join(dir, 'config-keys.json'),
    receivers: path.join(dir, 'receivers.yaml'),
  };
}

/** Go's time.ParseDuration syntax. */
export const goDurationPattern = '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$';
/** Prometheus model.Duration: Go's units without fractions, plus d, w and y. */
export const prometheusDurationPattern = '^(0|([0-9]+(ms|s|m|h|d|w|y))+)$';
/** The shape time.Duration.String() prints, which is how the default dump writes durations. */
const printedGoDuration = /^(\d+h)?(\d+m)?(\d+(\.\d+)?(s|ms|µs|ns))$/;

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

function readYaml(file: string): Tree {
  const document = YAML.parseDocument(readFileSync(file, 'utf8'), { merge: true });
  if (document.errors.length > 0) throw new BuildError(relative(file), document.errors[0]!.message);
  const value = document.toJS({ maxAliasCount: -1 }) as unknown;
  if (!isTree(value)) throw new BuildError(relative(file), 'must be a YAML mapping');
  return value;
}

const nullable = (type: string): string[] => [type, 'null'];

/**
 * The two duration types, defined once and referred to from every duration key, each with the words
 * the chart's refusal quotes when text does not match it.
 * The names are prefixed because the chart's schema embeds these beside its own definitions.
 */
export const durationDefinitions = {
  tempoGoDuration: { type: ['string', 'integer', 'null'], pattern: goDurationPattern, description: 'a Go duration such as 500ms, 30s or 1h30m (units ns, us, ms, s, m, h), or a whole number of nanoseconds' },
  tempoPrometheusDuration: { type: nullable('string'), pattern: prometheusDurationPattern, description: 'a Prometheus duration such as 30s, 5m or 14d (units ms, s, m, h, d, w, y, whole numbers only)' },
} satisfies Record<string, SchemaNode>;
export const goDurationRef = '#/definitions/tempoGoDuration';

/** The schema of a receiver setting (receivers.yaml), inferred from its default. */
function schemaOf(value: unknown, where: string, file: string): SchemaNode {
  if (value === null) return {};
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

/** One key of a release's configuration as its own types describe it (build/tempo-config/<series>/config-keys.json). */
export interface DumpedKey {
  path: string;
  go_type: string;
  kind: 'object' | 'map' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'duration' | 'opaque';
  /** The kind of a list's or map's elements. */
  items?: string;
  /** For an opaque type: the YAML form its own decoder reads. */
  yaml_form?: string;
  /** The value in Tempo's default configuration, where it has one. */
  default?: unknown;
  /** How a document holding just this key fared in Tempo's strict decoder: ok, value_error: ..., rejected. */
  probe: string;
  note?: string;
}

/** What build/tempo-config/<series>/config-keys.json holds: Tempo's keys, read from the release's own types. */
export interface TempoKeysDump {
  tempo_tag: string;
  sections: Record<'config' | 'config_overrides_legacy_flat' | 'per_tenant_overrides' | 'per_tenant_overrides_legacy', { keys: DumpedKey[] }>;
  /** Value lists taken from Tempo's validation code; applies_to names keys, some with a note in parentheses. */
  enums: Array<{ name: string; applies_to: string[]; values: string[] }>;
  flags: Array<{ name: string; key?: string }>;
}

export function readTempoKeys(file: string): TempoKeysDump {
  const dump = JSON.parse(readFileSync(file, 'utf8')) as TempoKeysDump;
  if (!dump.sections?.config?.keys) throw new BuildError(relative(file), 'has no sections.config.keys');
  return dump;
}

const anyText: SchemaNode = { type: ['string', 'number', 'boolean', 'null'] };

/**
 * The schema of a type that decodes itself (the dump's "opaque" kind), by its Go type: what its own
 * decoder reads, from the type's code. Types not named here take any value, as Tempo's decoder passes
 * them through (interface{}, Prometheus' secrets and URLs).
 */
function opaqueSchema(key: DumpedKey): SchemaNode {
  const type = key.go_type.replace(/^\*/, '');
  if (type.endsWith('model.Duration')) return { $ref: '#/definitions/tempoPrometheusDuration' };
  if (type.endsWith('dskit/log.Level')) return { type: nullable('string'), enum: ['debug', 'info', 'warn', 'error', null] };
  // A comma-separated string, or (the Multi form) a list of them.
  if (type.endsWith('flagext.StringSliceCSVMulti')) return { type: ['string', 'array', 'null'], items: { type: 'string' } };
  if (type.endsWith('listtomap.ListToMap')) return { type: nullable('array'), items: { type: 'string' } };
  // A size in bytes: a number, or a string with a unit (10MB).
  if (type.endsWith('flagext.Bytes')) return { type: ['string', 'integer', 'null'] };
  if (type === 'interface {}') return {};
  if (key.yaml_form === 'string') return anyText;
  return {};
}

const scalarSchemas: Record<string, SchemaNode> = {
  string: anyText,
  // Tempo's decoder refuses a fraction for an integer field.
  integer: { type: nullable('integer') },
  number: { type: nullable('number') },
  boolean: { type: nullable('boolean') },
  duration: { $ref: goDurationRef },
};

/** The parent of a dumped path: a.b → a, a[] → a (its elements), a.* → a (its values). */
function parentOf(dotted: string): string {
  if (dotted.endsWith('[]')) return dotted.slice(0, -2);
  const dot = dotted.lastIndexOf('.');
  return dot < 0 ? '' : dotted.slice(0, dot);
}

/**
 * The schema of a section of the dump (the keys under prefix), built key by key from the release's
 * types: objects closed to the keys they have, lists and maps typed by their elements, and the value
 * lists of Tempo's validation code (enums) where a key has one. Every node also takes null.
 */
function schemaFromKeys(keys: DumpedKey[], prefix: string, enums: Map<string, string[]>, opaque: Record<string, SchemaNode>): SchemaNode {
  const byPath = new Map(keys.map((key) => [key.path, key]));
  const children = new Map<string, DumpedKey[]>();
  for (const key of keys) {
    const parent = parentOf(key.path);
    children.set(parent, [...(children.get(parent) ?? []), key]);
  }
  const scalar = (kind: string | undefined): SchemaNode => (kind && scalarSchemas[kind] ? scalarSchemas[kind]! : {});
  const node = (key: DumpedKey): SchemaNode => {
    if (key.path in opaque) return opaque[key.path]!;
    const values = enums.get(key.path);
    const isList = key.kind === 'array' || key.go_type.endsWith('listtomap.ListToMap');
    if (values && isList) return { type: nullable('array'), items: { type: 'string', enum: values } };
    if (values) return { type: nullable('string'), enum: [...values, null] };
    switch (key.kind) {
      case 'object': {
        const fields = (children.get(key.path) ?? []).filter((child) => !child.path.endsWith('[]') && !child.path.endsWith('.*'));
        // A type the dump could not see into (Prometheus' Headers) takes what its own decoder reads.
        if (fields.length === 0) return { type: nullable('object') };
        return { type: nullable('object'), properties: Object.fromEntries(fields.map((child) => [child.path.slice(key.path.length + 1), node(child)])), additionalProperties: false };
      }
      case 'map': {
        const value = byPath.get(`${key.path}.*`);
        const map: SchemaNode = { type: nullable('object'), additionalProperties: value ? node(value) : scalar(key.items) };
        // A map Tempo fills before decoding refuses its own keys again (yaml.v2, strict: "key ... already set in map").
        const filled = key.note?.includes('pre-populated') && isTree(key.default) ? Object.keys(key.default) : [];
        return filled.length > 0 ? { ...map, propertyNames: { not: { enum: filled } } } : map;
      }
      case 'array': {
        const element = byPath.get(`${key.path}[]`);
        const items = element ? node(element) : scalar(key.items);
        return Object.keys(items).length === 0 ? { type: nullable('array') } : { type: nullable('array'), items };
      }
      case 'opaque':
        return opaqueSchema(key);
      default:
        return scalar(key.kind);
    }
  };
  const top = (children.get(prefix) ?? []).filter((key) => !key.path.endsWith('[]') && !key.path.endsWith('.*'));
  return { type: nullable('object'), properties: Object.fromEntries(top.map((key) => [key.path.slice(prefix ? prefix.length + 1 : 0), node(key)])), additionalProperties: false };
}

/**
 * The dump's value lists by key path; applies_to entries with a note ("(its keys)", "(legacy)") are
 * read without it, or skipped when they describe map keys. A key's own default joins its list where
 * it is outside it (an empty backend of a feature that is off, a write-ahead log version that follows
 * the block's): Tempo's validation only runs where the feature is used.
 */
export function enumsByPath(dump: TempoKeysDump): Map<string, string[]> {
  const defaults = new Map(Object.values(dump.sections).flatMap((section) => section.keys.map((key) => [key.path, key.default] as const)));
  const result = new Map<string, string[]>();
  for (const { applies_to: paths, values } of dump.enums) {
    for (const entry of paths) {
      const [keyPath, note] = entry.split(' (');
      if (note?.startsWith('its keys')) continue;
      const fallback = defaults.get(keyPath!);
      result.set(keyPath!, typeof fallback === 'string' && !values.includes(fallback) ? [...values, fallback] : values);
    }
  }
  return result;
}

/** The schema of one series' configuration file as a plain tree, before repeated blocks are shared. */
function tempoConfigBody(sources: ReturnType<typeof tempoConfigSourcesIn>, dump: TempoKeysDump): SchemaNode {
  const enums = enumsByPath(dump);
  // distributor.receivers is an open map in Tempo's types (OpenTelemetry Collector receivers, decoded
  // by the collector's own code): their settings come from receivers.yaml.
  const receivers = schemaOf(child(readYaml(sources.receivers), 'receivers', sources.receivers), 'distributor.receivers', sources.receivers);
  const schema = schemaFromKeys(dump.sections.config.keys, '', enums, { 'distributor.receivers': receivers });

  // The flat overrides layout is also read (2.x warns; 3.0 only with enable_legacy_overrides): its
  // keys live beside the nested ones, and the chart refuses a mix.
  const overrides = schema.properties?.overrides;
  if (!overrides?.properties) throw new BuildError(relative(sources.keys), 'has no overrides block');
  const legacy = schemaFromKeys(dump.sections.config_overrides_legacy_flat.keys, 'overrides', enums, {});
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

/**
 * Every supported series' configuration schema (the chart checks tempo.structuredConfig and the
 * overrides against the running series' one), and their union, for editors and for checking a file
 * meant for any of them.
 */
export interface TempoConfigSchemas {
  bySeries: Record<string, SchemaNode>;
  /** Accepts a key any supported series has. */
  union: SchemaNode;
  /** Per series, the metrics-generator's processors, from the release's own list. */
  generatorProcessors: Record<string, string[]>;
  /** Per series, the keys of the overrides block's nested layout. */
  overridesBlockKeys: Record<string, string[]>;
  /** Per series, the release's own key list. */
  dumps: Record<string, TempoKeysDump>;
}

/** The key whose value list names the metrics-generator's processors. */
const processorsKey = 'overrides.defaults.metrics_generator.processors';

export function tempoConfigSchemas(configDir: string, series: Array<{ name: string; release: string }>): TempoConfigSchemas {
  const sources = series.map(({ name }) => tempoConfigSourcesIn(path.join(configDir, name)));
  const dumps = sources.map((files) => readTempoKeys(files.keys));
  const bodies = series.map((_, index) => tempoConfigBody(sources[index]!, dumps[index]!));
  const lists = dumps.map((dump) => new Map([...enumsByPath(dump)].filter(([key]) => !key.startsWith('overrides.*'))));
  const union = bodies.reduce((merged, body) => unionOf(merged, body));
  const names = series.map(({ name }) => name);
  return {
    bySeries: Object.fromEntries(
      series.map(({ name, release }, index) => [name, tempoConfigDocument(bodies[index]!, `Grafana Tempo ${release} configuration file`, Object.values(tempoConfigSourcesIn(path.join(configDir, name))).map(relative).join(', '))]),
    ),
    union: tempoConfigDocument(union, `Grafana Tempo ${names.join(', ')} configuration file: a key any of them reads`, `build/tempo-config/{${names.join(',')}}`),
    dumps: Object.fromEntries(names.map((name, index) => [name, dumps[index]!])),
    overridesBlockKeys: Object.fromEntries(
      names.map((name, index) => [name, dumps[index]!.sections.config.keys.filter((key) => parentOf(key.path) === 'overrides').map((key) => key.path.slice('overrides.'.length))]),
    ),
    generatorProcessors: Object.fromEntries(
      names.map((name, index) => {
        const processors = lists[index]!.get(processorsKey);
        if (!processors) throw new BuildError(relative(sources[index]!.keys), `has no value list for ${processorsKey}`);
        return [name, processors];
      }),
    ),
  };
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
 * stores, TLS settings and caches repeat across Tempo's modules: sharing them makes each schema about
 * a fifth smaller, and the chart carries one per series. Error messages name the same keys.
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
