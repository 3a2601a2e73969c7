import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { paths } from '../../build/paths.ts';
import type { Manifest } from './helm.ts';

type Json = Record<string, any>;

/**
 * Parses a Tempo configuration file as Tempo does: YAML 1.1 (Tempo's decoder is gopkg.in/yaml.v2), so
 * 10_000_000 is a number and yes/no are booleans.
 */
export function parseTempoConfig(text: string): Json {
  return YAML.parse(text, { version: '1.1' }) as Json;
}

/** parseTempoConfig for text that may not be YAML at all (any ConfigMap entry). */
export function parseYamlOrUndefined(text: string): unknown {
  try {
    return parseTempoConfig(text);
  } catch {
    return undefined;
  }
}

let validator: ValidateFunction | undefined;

/** Problems Tempo 2.5.0 would stop at start-up for, by the generated configuration schema. */
export function validateTempoConfig(config: unknown): string[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(paths.tempoConfigSchema, 'utf8')));
  if (validator(config)) return [];
  return (validator.errors ?? []).map((error) => {
    const at = error.instancePath || '/';
    return error.keyword === 'additionalProperties' ? `${at}: unknown key "${error.params.additionalProperty}"` : `${at}: ${error.message}`;
  });
}

/**
 * The Tempo configuration a pod runs with: the container started with -config.file, and the file
 * read from the ConfigMap or Secret mounted at that path. Undefined for pods that do not run Tempo, and for
 * one whose ConfigMap is not rendered (the referencesResolve invariant reports that).
 */
export function tempoConfigOf(podSpec: Json, documents: Manifest[]): { container: Json; config: Json } | undefined {
  for (const container of podSpec.containers ?? []) {
    const flag = [...(container.args ?? []), ...(container.command ?? [])].find((arg: string) => /^--?config\.file=/.test(arg));
    if (!flag) continue;
    const file: string = flag.slice(flag.indexOf('=') + 1);
    const mount = (container.volumeMounts ?? []).find((candidate: Json) => file.startsWith(`${candidate.mountPath.replace(/\/$/, '')}/`));
    const volume = (podSpec.volumes ?? []).find((candidate: Json) => candidate.name === mount?.name);
    const key = file.slice(mount ? mount.mountPath.replace(/\/$/, '').length + 1 : 0);
    const text = volumeFile(volume, key, documents);
    if (text === undefined) return undefined;
    return { container, config: parseTempoConfig(text) };
  }
  return undefined;
}

/** A file of a ConfigMap or Secret volume, from the rendered object; undefined when it is not rendered. */
function volumeFile(volume: Json | undefined, key: string, documents: Manifest[]): string | undefined {
  const text = volumeFiles(volume, documents)[key];
  return typeof text === 'string' ? text : undefined;
}

/** Every file of a ConfigMap or Secret volume, by key, from the rendered object (a Secret's data decoded); {} for other volumes. */
export function volumeFiles(volume: Json | undefined, documents: Manifest[]): Record<string, string> {
  if (volume?.configMap) return documents.find((doc) => doc.kind === 'ConfigMap' && doc.metadata.name === volume.configMap.name)?.data ?? {};
  if (volume?.secret) {
    const secret = documents.find((doc) => doc.kind === 'Secret' && doc.metadata.name === volume.secret.secretName);
    const decoded = Object.entries<string>(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]);
    return { ...Object.fromEntries(decoded), ...secret?.stringData };
  }
  return {};
}
