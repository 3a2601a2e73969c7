import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { BuildError } from './errors.ts';
import { relative } from './paths.ts';
import type { SchemaNode } from './schema.ts';
import type { ProtectionRules } from './sizing.ts';

/**
 * The Tempo release series the chart supports (build/tempo-config/versions.yaml), oldest first: what
 * each has that the chart must know beyond its configuration schema. The templates read it as
 * tempo.versions.table, and the chart selects one series per release (tempo.version).
 */
export interface TempoSeries {
  /** MAJOR.MINOR. */
  name: string;
  /** The release the tests run and whose documented configuration build/tempo-config/<name>/ holds. */
  release: string;
  /** Grafana's documentation of the series (https://grafana.com/docs/tempo/vMAJOR.MINOR.x/): filled in by the build, the one place it is spelt. */
  docsUrl: string;
  scalesOut: boolean;
  /** The preset a pod of the series gets when sizing.preset is empty, and the series' own protection rules over presets.yaml's. */
  sizing: { defaultPreset: string; protection: Partial<ProtectionRules> };
  /** The pod's grace period unless the values give one. */
  terminationGracePeriodSeconds: number;
  /** Why not, and what to do instead, when the series does not scale out. */
  scalingAdvice?: string;
  /** Whether architecture distributed runs on the series (each component its own workload, through Kafka). */
  distributed: boolean;
  /** Where it does not: what to do instead, for the refusal. */
  distributedAdvice?: string;
  /** How long after it arrives a trace is found by search, as a Go duration. */
  searchCutoff: string;
  /** The metrics-generator's processors the series has: filled in by the build from the release's own keys (config-keys.json), not written in versions.yaml. */
  generatorProcessors: string[];
  /** Tempo key → folder under tempo.dataDir, for the folders Tempo writes whatever the values. */
  dataPaths: Record<string, string>;
  /** Where each setting the chart derives goes; null where the series has no such key. */
  derivedKeys: Record<string, string | null>;
  /** Settings for a pod whose memory limit is at most memoryAtMost (a Kubernetes quantity); null for none. */
  smallPod: { memoryAtMost: string; settings: Record<string, unknown> } | null;
  /** The metrics the alert rules read where they differ by series; null where the series has none. */
  alertMetrics: Record<string, string | null>;
  /** Whether Tempo starts with the flat (legacy) overrides layout. */
  flatOverrides: boolean;
  /** Where it does not: the key that opts back in, or null. */
  legacyOverridesOptIn: string | null;
  /** The keys of the overrides block's nested layout (defaults, per_tenant_override_config, ...): any other key is a flat one. Filled in by the build from the release's own keys. */
  overridesBlockKeys: string[];
  /** Keys Tempo warns about at start-up, with what replaces them. */
  deprecatedKeys: Record<string, string>;
}

const seriesName = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

export function loadTempoSeries(file: string): TempoSeries[] {
  const name = relative(file);
  const parsed = YAML.parse(readFileSync(file, 'utf8'), { merge: true }) as { series?: TempoSeries[] };
  const series = parsed.series ?? [];
  const problems: string[] = [];
  if (series.length === 0) problems.push('lists no series');
  const derivedNames = JSON.stringify(Object.keys(series[0]?.derivedKeys ?? {}).sort());
  const metricNames = JSON.stringify(Object.keys(series[0]?.alertMetrics ?? {}).sort());
  for (const entry of series) {
    if (!seriesName.test(entry.name)) problems.push(`series "${entry.name}" is not MAJOR.MINOR`);
    else if (!entry.release?.startsWith(`${entry.name}.`)) problems.push(`series ${entry.name}: release ${entry.release} is not of the series`);
    if (entry.scalesOut === false && !entry.scalingAdvice) problems.push(`series ${entry.name}: a series that does not scale out needs scalingAdvice`);
    if (typeof entry.distributed !== 'boolean') problems.push(`series ${entry.name}: distributed must be true or false`);
    else if (!entry.distributed && !entry.distributedAdvice) problems.push(`series ${entry.name}: a series without architecture distributed needs distributedAdvice`);
    if (!Number.isInteger(entry.terminationGracePeriodSeconds)) problems.push(`series ${entry.name}: terminationGracePeriodSeconds must be a whole number of seconds`);
    if (typeof entry.sizing?.defaultPreset !== 'string' || typeof entry.sizing.protection !== 'object' || entry.sizing.protection === null) problems.push(`series ${entry.name}: sizing needs defaultPreset and protection`);
    if (JSON.stringify(Object.keys(entry.alertMetrics ?? {}).sort()) !== metricNames) problems.push(`series ${entry.name}: alertMetrics must name the same rules' metrics as the first series`);
    if (typeof entry.flatOverrides !== 'boolean') problems.push(`series ${entry.name}: flatOverrides must be true or false`);
    if (entry.legacyOverridesOptIn === undefined) problems.push(`series ${entry.name}: legacyOverridesOptIn must be a key or null`);
    if (JSON.stringify(Object.keys(entry.derivedKeys ?? {}).sort()) !== derivedNames) problems.push(`series ${entry.name}: derivedKeys must name the same settings as the first series`);
  }
  const names = series.map((entry) => entry.name);
  if (new Set(names).size !== names.length) problems.push('names a series twice');
  if (problems.length > 0) throw new BuildError(name, problems.join('; '));
  for (const entry of series) entry.docsUrl = `https://grafana.com/docs/tempo/v${entry.name}.x/`;
  return series;
}

/** Checks that each key a series names (data paths, derived keys) is one its configuration schema has. */
export function checkSeriesKeys(file: string, series: TempoSeries[], schemas: Record<string, SchemaNode>): void {
  const problems: string[] = [];
  for (const entry of series) {
    const schema = schemas[entry.name]!;
    const resolve = (node: SchemaNode): SchemaNode => {
      const definition = /^#\/definitions\/(tempo\..+)$/.exec(node.$ref ?? '')?.[1];
      return definition ? resolve(schema.definitions![definition]!) : node;
    };
    const exists = (key: string) => {
      let node: SchemaNode | undefined = schema;
      for (const part of key.split('.')) node = node && resolve(node).properties?.[part];
      return node !== undefined;
    };
    for (const key of [...Object.keys(entry.dataPaths), ...Object.values(entry.derivedKeys), ...Object.keys(entry.deprecatedKeys ?? {}), ...Object.keys(entry.smallPod?.settings ?? {}), entry.legacyOverridesOptIn]) {
      if (key !== null && !exists(key)) problems.push(`series ${entry.name}: ${key} is not a key of Tempo ${entry.release}'s configuration`);
    }
  }
  if (problems.length > 0) throw new BuildError(relative(file), problems.join('; '));
}
