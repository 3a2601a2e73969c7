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
  paths: { writes: PathKey[] };
  /**
   * Keys that name a file Tempo reads, grouped by their last segment like durationKeys: every key whose
   * name says it is a file (readFileName), found in the schema, and those facts.yaml lists by hand.
   */
  readFiles: Record<string, string[]>;
  /** Keys that hold credentials, and the environment reference that is the only value they may hold. */
  credentials: { keys: string[]; environmentReference: string };
}

/** A key whose name says it holds a file Tempo reads: cert_file, ca_file, keytab_file, tls_ca_path... */
export const readFileName = /_file$|^tls_(ca|cert|key)_path$/;

export function tempoFacts(tempoSchema: SchemaNode, factsFile: string): TempoFacts {
  // Blocks Tempo repeats are shared definitions: follow them, but not into the duration types.
  const resolve = (node: SchemaNode): SchemaNode => {
    const name = node.$ref !== goDurationRef ? /^#\/definitions\/(.+)$/.exec(node.$ref ?? '')?.[1] : undefined;
    return name ? resolve(tempoSchema.definitions![name]!) : node;
  };
  const durationKeys: Record<string, string[]> = {};
  const readFiles: Record<string, string[]> = {};
  const patternOf = (path: string[]) => `^${path.map((part) => (part === '*' ? '[^.]+' : part.replaceAll('.', '\\.'))).join('\\.')}$`;
  const walk = (reference: SchemaNode, path: string[]) => {
    const node = resolve(reference);
    const name = path[path.length - 1];
    if (reference.$ref === goDurationRef && name !== undefined) (durationKeys[name] ??= []).push(patternOf(path));
    if (name !== undefined && readFileName.test(name) && !node.properties) (readFiles[name] ??= []).push(patternOf(path));
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
  for (const entry of parsed.reads ?? []) {
    const path = entry.key.split('.');
    (readFiles[path[path.length - 1]!] ??= []).push(patternOf(path));
  }
  for (const entry of [...(parsed.writes ?? []), ...(parsed.reads ?? [])]) {
    for (const key of [entry.key, entry.when?.key].filter((candidate): candidate is string => candidate !== undefined)) {
      if (!exists(key)) problems.push(`${key} is not a key of Tempo's configuration`);
    }
  }
  if (!parsed.writes?.length) problems.push('needs writes');
  if (!parsed.credentialKeys?.length || typeof parsed.environmentReference !== 'string') problems.push('needs credentialKeys and environmentReference');
  if (problems.length > 0) throw new BuildError(name, problems.join('; '));
  return {
    durationKeys,
    paths: { writes: parsed.writes! },
    readFiles,
    credentials: { keys: parsed.credentialKeys!, environmentReference: parsed.environmentReference! },
  };
}
