import { BuildError } from './errors.ts';
import type { SchemaNode, ValuesSchema } from './schema.ts';

/**
 * The wiring table: which value becomes which Tempo configuration key, and which values are ports
 * Tempo listens on. values.schema.json says it once per value with two annotation keywords, which
 * the build strips from the chart's schema:
 *   "x-tempo-key": "server.http_listen_port"      (or a list of keys the value sets)
 *   "x-tempo-written": "always"                   (or "whenSet"; without it a helper derives the key)
 *   "x-listener": { "name": "http", "exposed": true, "enabledBy": "tempo.receivers.otlp.grpc.enabled",
 *                   "protocol": "UDP", "appProtocol": "grpc" }
 * From it the build generates the owned-key list (structuredConfig may not set those keys), the
 * listener list with each port's default, and the "Tempo key" column of the values table.
 */

/** A Tempo configuration key a value sets: only that value may set it. */
export interface OwnedKey {
  key: string;
  value: string;
  /**
   * How the value reaches its key when it is written as it stands (tempo.config.fromWiring renders
   * those): always, or only when set (not false, empty or null: Tempo's default then stays implicit).
   * Without it a section's helper derives the key from the value (a port becomes an endpoint, a
   * credential a ${VAR} reference).
   */
  written?: Written;
}

type Written = 'always' | 'whenSet';
const writtenModes: readonly Written[] = ['always', 'whenSet'];

/** A port Tempo binds, set by a value. */
export interface Listener {
  /** Port name on the container and the Service (at most 15 characters). */
  name: string;
  /** The value holding the port. */
  value: string;
  default: number;
  /** Whether the port is a container and Service port; internal ones are only checked for collisions. */
  exposed: boolean;
  /** A boolean value that switches the listener on; always on without it. */
  enabledBy?: string;
  /** TCP unless the protocol runs over UDP (Jaeger's Thrift agents). */
  protocol: 'TCP' | 'UDP';
  /** What the Service tells meshes the port speaks (grpc or http), so Istio treats gRPC as gRPC. */
  appProtocol?: 'grpc' | 'http';
  /** The Tempo key the port goes to (the value's first x-tempo-key); a receiver's is its endpoint, bound on 0.0.0.0. */
  tempoKey: string;
  /** Whether the listener receives spans: its Tempo key lies under distributor.receivers. */
  receiver: boolean;
  /**
   * A receiver's largest request in bytes, as Tempo's defaults have it: the ingestion burst must admit
   * it, since Tempo refuses for ever a request larger than the burst. gRPC receivers take 4 MiB (gRPC's
   * default message limit); HTTP ones 16 MiB (measured on Tempo 2.5.0: a larger push fails Tempo's
   * internal gRPC hop to the ingester, 16 MiB); UDP ones one datagram.
   */
  maxRequestBytes?: number;
  /** A receiver's name for people: the README's receivers table and NOTES use it. */
  label?: string;
  /** An HTTP receiver's request, shown after its address in NOTES (POST /v1/traces). */
  request?: string;
}

export interface Wiring {
  ownedKeys: OwnedKey[];
  listeners: Listener[];
  /** Values whose Tempo key this series lacks and another supported series has: set, they are refused. */
  unavailable: Unavailable[];
}

/** A value the selected Tempo series has no key for. */
export interface Unavailable {
  value: string;
  /** In use when this boolean value is true (a listener's switch); otherwise when the value is not its default. */
  enabledBy?: string;
  default: unknown;
  /** The first Tempo key it sets where it exists, and the series that have it. */
  key: string;
  series: string[];
}

const tempoKeyPattern = /^[a-z_]+(\.[a-z0-9_]+)*$/;
/** Where Tempo's configuration keeps its receivers. */
const receiverKeyPrefix = 'distributor.receivers.';

/** The wiring table of every supported series (oldest first), by series name. */
export function wiringBySeries(schema: ValuesSchema, series: string[]): Record<string, Wiring> {
  const tables = Object.fromEntries(series.map((name) => [name, wiringOf(schema, name, series)]));
  for (const name of series) {
    const own = new Set(tables[name]!.ownedKeys.map((owned) => owned.value));
    const elsewhere = new Map<string, { key: string; series: string[] }>();
    for (const other of series) {
      for (const owned of tables[other]!.ownedKeys) {
        if (own.has(owned.value)) continue;
        const seen = elsewhere.get(owned.value) ?? { key: owned.key, series: [] };
        if (!seen.series.includes(other)) seen.series.push(other);
        elsewhere.set(owned.value, seen);
      }
    }
    tables[name]!.unavailable = [...elsewhere].map(([value, { key, series: having }]) => {
      const entry = schema.entries().find((candidate) => candidate.path.join('.') === value)!;
      const enabledBy = (entry.schema['x-listener'] as Partial<Listener> | undefined)?.enabledBy;
      return { value, ...(enabledBy ? { enabledBy } : {}), default: entry.schema.default, key, series: having };
    });
  }
  return tables;
}

/** One series' wiring table: `series` names the series, `allSeries` all of them oldest first (x-tempo-key may differ by series). */
export function wiringOf(schema: ValuesSchema, series?: string, allSeries: string[] = series ? [series] : []): Wiring {
  const wiring: Wiring = { ownedKeys: [], listeners: [], unavailable: [] };
  const problems: string[] = [];
  const entries = schema.entries();
  const valuePaths = new Map(entries.map((entry) => [entry.path.join('.'), entry.schema]));
  for (const entry of entries) {
    const value = entry.path.join('.');
    let keys: string[];
    try {
      keys = tempoKeysOf(entry.schema, series, allSeries);
    } catch (error) {
      problems.push(`${value}: ${(error as Error).message}`);
      continue;
    }
    const written = entry.schema['x-tempo-written'] as Written | undefined;
    if (written !== undefined && !writtenModes.includes(written)) problems.push(`${value}: x-tempo-written must be one of ${writtenModes.join(', ')}`);
    else if (written !== undefined && series !== undefined && keys.length > 1) problems.push(`${value}: a value written as it stands sets exactly one x-tempo-key`);
    for (const key of keys) {
      if (!tempoKeyPattern.test(key)) problems.push(`${value}: x-tempo-key "${key}" is not a dotted Tempo key`);
      else wiring.ownedKeys.push({ key, value, ...(written ? { written } : {}) });
    }
    const listener = entry.schema['x-listener'] as Partial<Listener> | undefined;
    // A listener the series has no key for is not bound there (and refused when switched on).
    const absentFromSeries = keys.length === 0 && tempoKeysOf(entry.schema).length > 0;
    if (listener === undefined || absentFromSeries) continue;
    const enabledBy = listener.enabledBy;
    if (typeof listener.name !== 'string' || !/^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$/.test(listener.name)) problems.push(`${value}: x-listener needs a name of at most 15 characters`);
    else if (typeof listener.exposed !== 'boolean') problems.push(`${value}: x-listener needs exposed: true or false`);
    else if (!Number.isInteger(entry.schema.default)) problems.push(`${value}: a listener needs an integer default`);
    else if (enabledBy !== undefined && valuePaths.get(enabledBy)?.type !== 'boolean') problems.push(`${value}: x-listener enabledBy "${enabledBy}" is not a boolean value`);
    else if (listener.protocol !== undefined && listener.protocol !== 'TCP' && listener.protocol !== 'UDP') problems.push(`${value}: x-listener protocol must be TCP or UDP`);
    else if (listener.appProtocol !== undefined && (listener.appProtocol !== 'grpc' && listener.appProtocol !== 'http')) problems.push(`${value}: x-listener appProtocol must be grpc or http`);
    else if (listener.appProtocol !== undefined && listener.protocol === 'UDP') problems.push(`${value}: a UDP listener has no appProtocol`);
    else if (keys.length === 0) problems.push(`${value}: a listener needs an x-tempo-key, the port's own first`);
    else if (keys[0]!.startsWith(receiverKeyPrefix) !== (listener.maxRequestBytes !== undefined)) problems.push(`${value}: a receiver's x-listener, and only a receiver's, states maxRequestBytes`);
    else if (listener.maxRequestBytes !== undefined && !(Number.isInteger(listener.maxRequestBytes) && listener.maxRequestBytes > 0)) problems.push(`${value}: x-listener maxRequestBytes must be a positive integer`);
    else if (keys[0]!.startsWith(receiverKeyPrefix) !== (typeof listener.label === 'string')) problems.push(`${value}: a receiver's x-listener, and only a receiver's, has a label`);
    else if ((listener.request !== undefined) !== (keys[0]!.startsWith(receiverKeyPrefix) && listener.appProtocol === 'http')) problems.push(`${value}: an HTTP receiver's x-listener, and only one, states its request`);
    else
      wiring.listeners.push({
        name: listener.name,
        value,
        default: entry.schema.default as number,
        exposed: listener.exposed,
        protocol: listener.protocol ?? 'TCP',
        tempoKey: keys[0]!,
        receiver: keys[0]!.startsWith(receiverKeyPrefix),
        ...(enabledBy ? { enabledBy } : {}),
        ...(listener.appProtocol ? { appProtocol: listener.appProtocol } : {}),
        ...(listener.maxRequestBytes ? { maxRequestBytes: listener.maxRequestBytes } : {}),
        ...(listener.label ? { label: listener.label } : {}),
        ...(listener.request ? { request: listener.request } : {}),
      });
  }
  for (const key of duplicates(wiring.ownedKeys.map((owned) => owned.key))) problems.push(`the Tempo key ${key} is set by more than one value`);
  for (const name of duplicates(wiring.listeners.map((listener) => listener.name))) problems.push(`the listener name ${name} is used twice`);
  if (problems.length > 0) throw new BuildError(schema.file, problems.join('; '));
  return wiring;
}

/**
 * The Tempo keys a value sets in a series. x-tempo-key is a key, a list of keys, or, where the key
 * differs between series, an object from series name to the key (or keys, or null for none) from that
 * series on: {"2.5": "ingester.max_block_duration", "3.0": "live_store.max_block_duration"}. Without a
 * series, the keys of every series.
 */
export function tempoKeysOf(node: SchemaNode, series?: string, allSeries: string[] = []): string[] {
  const keys = node['x-tempo-key'];
  if (keys === undefined || keys === null) return [];
  if (typeof keys === 'string') return [keys];
  if (Array.isArray(keys)) return keys as string[];
  const bySeries = keys as Record<string, string | string[] | null>;
  const unknown = Object.keys(bySeries).filter((name) => !allSeries.includes(name));
  if (allSeries.length > 0 && unknown.length > 0) throw new Error(`x-tempo-key names series ${unknown.join(', ')}, which versions.yaml does not list`);
  const asList = (entry: string | string[] | null | undefined) => (entry === null || entry === undefined ? [] : Array.isArray(entry) ? entry : [entry]);
  if (series === undefined) return [...new Set(Object.values(bySeries).flatMap(asList))];
  // The entry of the latest series listed at or before this one.
  const position = allSeries.indexOf(series);
  const from = allSeries.slice(0, position + 1).filter((name) => name in bySeries).pop();
  return from === undefined ? [] : asList(bySeries[from]);
}

/**
 * The Tempo keys of a value for people, as the values reference shows them: the keys, and where they
 * differ between series, every series named with its own ("2.5, 2.10: `a`; 3.0: `b`"), so that no
 * reader has to know that an entry holds for the series after it.
 */
export function describeTempoKeys(node: SchemaNode, allSeries: string[]): string {
  const keys = node['x-tempo-key'];
  if (keys === undefined || keys === null) return '';
  const code = (entry: string[]) => (entry.length === 0 ? 'none' : entry.map((key) => `\`${key}\``).join(', '));
  if (typeof keys === 'string' || Array.isArray(keys)) return code(tempoKeysOf(node));
  const groups: Array<{ series: string[]; keys: string }> = [];
  for (const series of allSeries) {
    const described = code(tempoKeysOf(node, series, allSeries));
    const last = groups.at(-1);
    if (last?.keys === described) last.series.push(series);
    else groups.push({ series: [series], keys: described });
  }
  return groups.map((group) => `${group.series.join(', ')}: ${group.keys}`).join('; ');
}

/** A copy of a schema without the x- annotation keywords, which only the build reads. */
export function withoutAnnotations<T>(node: T, isNameMap = false): T {
  if (Array.isArray(node)) return node.map((child) => withoutAnnotations(child)) as T;
  if (typeof node !== 'object' || node === null) return node;
  // Under properties and definitions the keys are names, not keywords: a value may be called x-anything.
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => isNameMap || !key.startsWith('x-'))
      .map(([key, child]) => [key, withoutAnnotations(child, !isNameMap && (key === 'properties' || key === 'definitions' || key === 'patternProperties'))]),
  ) as T;
}

function duplicates(items: string[]): string[] {
  return [...new Set(items.filter((item, index) => items.indexOf(item) !== index))];
}
