import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { BuildError } from './errors.ts';
import { relative } from './paths.ts';
import type { SchemaNode } from './schema.ts';
import { lastDefaultSoaks, soakLength, soakShortfalls, type SoakRecord } from './soaks.ts';
import type { TempoSeries } from './tempo-versions.ts';

/** Container resources as Kubernetes takes them: quantities by resource name. */
export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface Preset {
  summary: string;
  resources: Resources;
}

/**
 * What a series' default pod was measured to hold: its preset, and the last soak of the defaults, in
 * words, where that soak held (build/sizing/soaks.json). Absent where it did not, or was never soaked.
 */
export interface SeriesCapacity {
  preset: string;
  spansPerSecond: number;
  /** How it was measured, in words: the soak's length, date and machine, and its peak working set. */
  measured: string;
}

/** The constants that derive the protective settings from the memory limit (see presets.yaml). */
export interface ProtectionRules {
  rowGroupDivisor: number;
  rowGroupMaxBytes: number;
  blockDivisor: number;
  blockMaxBytes: number;
  rateLimitBytesPer256Mi: number;
  rateLimitMaxBytes: number;
  /** Where the series bounds its live traces in bytes (derivedKeys.maxLiveTracesBytes): L / this. */
  liveTracesBytesDivisor?: number;
  /** The per-tenant live-trace count limit (0: none), where the series' rules set it: past it Tempo drops spans it has acknowledged. */
  maxTracesPerUser?: number;
  /** Architecture distributed: block_builder.max_consuming_bytes is the block-builder's memory limit / this. */
  consumingBytesDivisor: number;
}

export interface Sizing {
  presets: Record<string, Preset>;
  protection: ProtectionRules;
}

/** The protective settings of one memory limit, in the units Tempo's configuration takes. */
export interface Protection {
  goMemLimit: string;
  rowGroupBytes: number;
  maxBlockBytes: number;
  rateLimitBytes: number;
  maxLiveTracesBytes?: number;
  maxTracesPerUser?: number;
}

/** The preset that sets nothing: no resources, no protective settings. */
export const noPreset = 'none';

const mebibyte = 1024 * 1024;
const megabyte = 1_000_000;

/** Reads and checks build/sizing/presets.yaml; a malformed file stops the build, naming the place. */
export function loadSizing(file: string): Sizing {
  const name = relative(file);
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BuildError(name, `is not valid YAML: ${(error as Error).message}`);
  }
  const sizing = parsed as Sizing;
  if (!sizing?.presets || typeof sizing.presets !== 'object') throw new BuildError(name, 'has no presets');
  for (const [preset, definition] of Object.entries(sizing.presets)) {
    if (preset === noPreset) throw new BuildError(name, `presets.${noPreset} is reserved for the preset that sets nothing`);
    if (!definition?.summary) throw new BuildError(name, `presets.${preset} has no summary`);
    for (const kind of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory'] as const) {
        if (typeof definition.resources?.[kind]?.[resource] !== 'string') {
          throw new BuildError(name, `presets.${preset}.resources.${kind}.${resource} must be a quantity string`);
        }
      }
    }
  }
  const rules = sizing.protection as unknown as Record<string, unknown> | undefined;
  const ruleNames: (keyof ProtectionRules)[] = [
    'rowGroupDivisor', 'rowGroupMaxBytes', 'blockDivisor', 'blockMaxBytes',
    'rateLimitBytesPer256Mi', 'rateLimitMaxBytes', 'consumingBytesDivisor',
  ];
  for (const rule of ruleNames) {
    if (typeof rules?.[rule] !== 'number' || (rules[rule] as number) <= 0) throw new BuildError(name, `protection.${rule} must be a positive number`);
  }
  return sizing;
}

const binarySuffixes: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimalSuffixes: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a Kubernetes quantity (256Mi, 1.5Gi, 2G, 500m, 1e9) as a plain number. */
export function quantityValue(quantity: string | number): number {
  const match = /^([+]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([KMGTPE]i|[numkMGTPE])?$/.exec(String(quantity));
  if (!match) throw new Error(`not a Kubernetes quantity: ${quantity}`);
  const suffix = match[2] ?? '';
  return Number(match[1]) * (binarySuffixes[suffix] ?? decimalSuffixes[suffix]!);
}

/**
 * The protective settings for a memory limit of `limitBytes`: GOMEMLIMIT at `goMemLimitPercent` of
 * it, and the block and ingestion settings of presets.yaml. The chart's template
 * (tempo.sizing.protection) computes the same at install time; a test holds the two together.
 */
export function protectionFor(limitBytes: number, goMemLimitPercent: number, rules: ProtectionRules): Protection {
  const wholeMegabytes = (bytes: number, max: number) => Math.min(Math.max(Math.floor(bytes / megabyte), 1) * megabyte, max);
  const rateLimitBytes = Math.min(Math.floor((limitBytes / (256 * mebibyte)) * rules.rateLimitBytesPer256Mi), rules.rateLimitMaxBytes);
  return {
    goMemLimit: `${Math.round((limitBytes * goMemLimitPercent) / 100 / mebibyte)}MiB`,
    rowGroupBytes: wholeMegabytes(limitBytes / rules.rowGroupDivisor, rules.rowGroupMaxBytes),
    maxBlockBytes: wholeMegabytes(limitBytes / rules.blockDivisor, rules.blockMaxBytes),
    rateLimitBytes,
    ...(rules.liveTracesBytesDivisor ? { maxLiveTracesBytes: wholeMegabytes(limitBytes / rules.liveTracesBytesDivisor, Number.MAX_SAFE_INTEGER) } : {}),
    ...(rules.maxTracesPerUser !== undefined ? { maxTracesPerUser: rules.maxTracesPerUser } : {}),
  };
}

/**
 * What each series' default pod was measured to hold, by series name: from the last soak of the
 * series' defaults in build/sizing/soaks.json, where it held (a test holds that soak to today's
 * rendering). A series whose default pod was never soaked, or fell short, has no entry.
 */
export function seriesCapacities(series: TempoSeries[], records: SoakRecord[]): Record<string, SeriesCapacity> {
  const capacities: Record<string, SeriesCapacity> = {};
  const defaults = lastDefaultSoaks(records);
  for (const entry of series) {
    const soak = defaults.find((record) => record.release === entry.release);
    if (!soak || soakShortfalls(soak).length > 0) continue;
    capacities[entry.name] = {
      preset: entry.sizing.defaultPreset,
      spansPerSecond: Math.round(soak.acceptedSpansPerSecond / 100) * 100,
      measured: `held a ${soakLength(soak)} saturation soak across the block cut on Tempo ${soak.release}, ${soak.date}, ${soak.machine}: ready at every sample, every sampled trace read back, working set at most ${soak.peakWorkingSetMiB} of ${soak.memoryLimitMiB} MiB`,
    };
  }
  return capacities;
}

/**
 * Completes the sizing.preset value of the values schema from the presets: its enum, and a list of
 * the presets in its description, so the values docs cannot name a preset the chart lacks.
 */
export function describePresetValue(root: SchemaNode, schemaFile: string, sizing: Sizing): void {
  const preset = root.properties?.sizing?.properties?.preset;
  if (!preset) throw new BuildError(schemaFile, '#/properties/sizing/properties/preset is missing; build/sizing/presets.yaml needs it');
  if (preset.enum) throw new BuildError(schemaFile, 'sizing.preset takes its enum from build/sizing/presets.yaml; remove it');
  const names = Object.keys(sizing.presets);
  preset.enum = ['', ...names, noPreset];
  const listed = names.map((name) => `${name} (limits ${sizing.presets[name]!.resources.limits.cpu} CPU and ${sizing.presets[name]!.resources.limits.memory})`);
  preset.description = `${preset.description} Presets: ${listed.join(', ')}, or ${noPreset} (sets no resources and no protective settings).`;
}

/**
 * The manual's sizing table: every preset, its resources and protective settings, and what each
 * series' default pod was measured to hold; a series with rules of its own gets its own rows.
 */
export function renderSizingTable(sizing: Sizing, goMemLimitPercent: number, series: TempoSeries[], capacities: Record<string, SeriesCapacity>): string {
  const row = (label: string, preset: string, rules: ProtectionRules, measuredOn: TempoSeries[]) => {
    const { resources } = sizing.presets[preset]!;
    const settings = protectionFor(quantityValue(resources.limits.memory), goMemLimitPercent, rules);
    const measured = measuredOn
      .filter((entry) => capacities[entry.name]?.preset === preset)
      .map((entry) => `Tempo ${entry.name}: about ${formatCount(capacities[entry.name]!.spansPerSecond)} spans/s`);
    return `| ${[
      label,
      `${resources.requests.cpu} / ${resources.requests.memory}`,
      `${resources.limits.cpu} / ${resources.limits.memory}`,
      settings.goMemLimit,
      formatCount(settings.rowGroupBytes),
      formatCount(settings.maxBlockBytes),
      formatCount(settings.rateLimitBytes),
      measured.length > 0 ? measured.join('; ') : 'not measured',
    ].join(' | ')} |`;
  };
  // Series whose rules give the same columns share rows; the live-trace limits are in the text.
  const columns = (entry: TempoSeries) => {
    const { rowGroupDivisor, rowGroupMaxBytes, blockDivisor, blockMaxBytes, rateLimitBytesPer256Mi, rateLimitMaxBytes } = { ...sizing.protection, ...entry.sizing.protection };
    return JSON.stringify([rowGroupDivisor, rowGroupMaxBytes, blockDivisor, blockMaxBytes, rateLimitBytesPer256Mi, rateLimitMaxBytes]);
  };
  const groups = [...new Set(series.map(columns))].map((key) => series.filter((entry) => columns(entry) === key));
  return [
    '| Preset | Requests (CPU / memory) | Limits (CPU / memory) | GOMEMLIMIT | Parquet row group (bytes) | Block bytes (max_block_bytes) | Ingestion rate limit (bytes/s) | Measured at saturation |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...groups.flatMap((group) =>
      Object.keys(sizing.presets).map((name) =>
        row(`\`${name}\`${groups.length > 1 ? ` (Tempo ${group.map((entry) => entry.name).join(', ')})` : ''}`, name, { ...sizing.protection, ...group[0]!.sizing.protection }, group),
      ),
    ),
    `| \`${noPreset}\` | (unset) | (unset) | (unset) | Tempo's 100,000,000 | Tempo's 524,288,000 | Tempo's 15,000,000 | not measured |`,
  ].join('\n');
}

/**
 * The table the chart's templates read (tempo.sizing.table): presets by name with their resources,
 * the protection rules, and what each series' default pod was measured to hold.
 */
export function sizingForChart(sizing: Sizing, capacities: Record<string, SeriesCapacity>): object {
  const presets = Object.fromEntries(Object.entries(sizing.presets).map(([name, { resources }]) => [name, { resources }]));
  const capacity = Object.fromEntries(
    Object.entries(capacities).map(([name, { preset, spansPerSecond, measured }]) => [name, { preset, words: `about ${formatCount(spansPerSecond)} spans/s accepted; ${measured}` }]),
  );
  return { presets, protection: sizing.protection, capacity };
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
