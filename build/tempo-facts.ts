import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { BuildError } from './errors.ts';
import { relative } from './paths.ts';
import type { SchemaNode } from './schema.ts';
import { goDurationRef } from './tempo-schema.ts';

/** A configuration key that names a place on disk; `when` restricts it to one setting of another key. */
export interface PathKey {
  key: string;
  when?: { key: string; equals: string };
  /** Where Tempo writes when the key is not set. */
  default?: string;
}

/**
 * What the chart's templates must know about Tempo's configuration file to refuse what would stop
 * Tempo: which keys are Go durations (a bare number there is nanoseconds), which keys name paths
 * Tempo writes or reads, and which hold credentials (build/tempo-config/facts.yaml).
 */
export interface TempoFacts {
  /**
   * Go-duration keys, grouped by their last segment: each a regular expression for the dotted path,
   * where [^.]+ stands for a map key or a list index.
   */
  durationKeys: Record<string, string[]>;
  paths: { writes: PathKey[]; reads: PathKey[] };
  /** Keys that hold credentials, and the environment reference that is the only value they may hold. */
  credentials: { keys: string[]; environmentReference: string };
}

export function tempoFacts(tempoSchema: SchemaNode, factsFile: string): TempoFacts {
  // Blocks Tempo repeats are shared definitions: follow them, but not into the duration types.
  const resolve = (node: SchemaNode): SchemaNode => {
    const name = node.$ref !== goDurationRef ? /^#\/definitions\/(.+)$/.exec(node.$ref ?? '')?.[1] : undefined;
    return name ? resolve(tempoSchema.definitions![name]!) : node;
  };
  const durationKeys: Record<string, string[]> = {};
  const walk = (reference: SchemaNode, path: string[]) => {
    const node = resolve(reference);
    if (reference.$ref === goDurationRef && path.length > 0) {
      const name = path[path.length - 1]!;
      const pattern = `^${path.map((part) => (part === '*' ? '[^.]+' : part.replaceAll('.', '\\.'))).join('\\.')}$`;
      (durationKeys[name] ??= []).push(pattern);
    }
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, [...path, key]);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, [...path, '*']);
    if (node.items) walk(node.items, [...path, '*']);
  };
  walk(tempoSchema, []);

  const name = relative(factsFile);
  const parsed = YAML.parse(readFileSync(factsFile, 'utf8')) as {
    writes?: PathKey[];
    reads?: PathKey[];
    credentialKeys?: string[];
    environmentReference?: string;
  };
  const problems: string[] = [];
  const exists = (key: string) => {
    let node: SchemaNode | undefined = tempoSchema;
    for (const part of key.split('.')) node = node && resolve(node).properties?.[part];
    return node !== undefined;
  };
  for (const entry of [...(parsed.writes ?? []), ...(parsed.reads ?? [])]) {
    for (const key of [entry.key, entry.when?.key].filter((candidate): candidate is string => candidate !== undefined)) {
      if (!exists(key)) problems.push(`${key} is not a key of Tempo's configuration`);
    }
  }
  if (!parsed.writes?.length || !parsed.reads?.length) problems.push('needs writes and reads');
  if (!parsed.credentialKeys?.length || typeof parsed.environmentReference !== 'string') problems.push('needs credentialKeys and environmentReference');
  if (problems.length > 0) throw new BuildError(name, problems.join('; '));
  return {
    durationKeys,
    paths: { writes: parsed.writes!, reads: parsed.reads! },
    credentials: { keys: parsed.credentialKeys!, environmentReference: parsed.environmentReference! },
  };
}
