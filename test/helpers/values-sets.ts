import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { paths } from '../../build/paths.ts';
import { chartSeries } from './invariants.ts';

export const valuesSetsDir = paths.valuesSets;
export const examplesDir = path.join(paths.root, 'examples');

/** A named set of values files, passed to helm in order, with the release it is rendered as. */
export interface ValuesSet {
  name: string;
  files: string[];
  release: string;
  namespace: string;
  /** Invariants the set breaks on purpose. */
  allow: string[];
  /** Objects the set references but the chart does not create, as Kind/name. */
  external: string[];
}

/**
 * Every test/values/*.yaml, and every per-environment example (examples/base.yaml with one
 * examples/<environment>.yaml over it, named example-<environment>). A file may choose its release and
 * namespace with header lines "# test-release: NAME" and "# test-namespace: NAME"; otherwise it is
 * release tempo in observability. "# test-allow: NAME ..." names invariants it breaks on purpose, and
 * "# test-external: Kind/name ..." (in an example, "# Needs in the cluster: Kind/name ...") objects it
 * references that a cluster must already have.
 */
export function valuesSets(): ValuesSet[] {
  const yamlFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort();
  const sets = yamlFiles(valuesSetsDir).map((name) => described(name.replace(/\.yaml$/, ''), [path.join(valuesSetsDir, name)]));
  const examples = yamlFiles(examplesDir)
    .filter((name) => name !== 'base.yaml')
    .map((name) => described(`example-${name.replace(/\.yaml$/, '')}`, [path.join(examplesDir, 'base.yaml'), path.join(examplesDir, name)]));
  return [...sets, ...examples];
}

function described(name: string, files: string[]): ValuesSet {
  const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
  const directive = (key: string) => new RegExp(`^# ${key}: (\\S+)$`, 'm').exec(text)?.[1];
  const list = (key: string) => [...text.matchAll(new RegExp(`^# ${key}: (.+)$`, 'gm'))].flatMap((match) => match[1]!.trim().split(/\s+/));
  return {
    name,
    files,
    release: directive('test-release') ?? 'tempo',
    namespace: directive('test-namespace') ?? 'observability',
    allow: list('test-allow'),
    // An example says what it needs in words a user reads: "# Needs in the cluster: Secret/tempo-s3".
    external: [...list('test-external'), ...list('Needs in the cluster')],
  };
}

/** Sets `value` at a dotted path of `tree`, making the maps on the way. */
export function setAt(tree: Record<string, any>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts.at(-1)!] = value;
}

/** Values layered as Helm layers them: maps merge key by key, anything else replaces, null removes. */
export function helmMerge(base: any, over: any): any {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const merged = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete merged[key];
    else merged[key] = helmMerge(base[key], value);
  }
  return merged;
}

/** The values a set gives, its files layered in order (over the chart's defaults when `base` is them). */
export function setValues(set: Pick<ValuesSet, 'files'>, base: object = {}): any {
  return set.files.reduce((merged, file) => helmMerge(merged, YAML.parse(readFileSync(file, 'utf8')) ?? {}), base);
}

/** The Tempo series a set runs by itself: its tempo.version, or the release its image tag names, or the chart's default. */
export function ownSeries(set: Pick<ValuesSet, 'files'>): string {
  const values = setValues(set);
  const given: string | undefined = values.tempo?.version || values.image?.tag;
  return given ? /^v?(\d+\.\d+)/.exec(given)![1]! : chartSeries()[0]!.name;
}
