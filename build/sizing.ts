import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { BuildError } from './errors.ts';
import { relative } from './paths.ts';
import type { SchemaNode } from './schema.ts';

/** Container resources as Kubernetes takes them: quantities by resource name. */
export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface Capacity {
  spansPerSecond: number;
  /** Under which conditions the figure was measured, in words. */
  conditions: string;
  /** A verbatim excerpt of the measurements file the figure comes from. */
  evidence: string;
}

export interface Preset {
  summary: string;
  resources: Resources;
  /** Absent where nothing was measured: the documentation then says "not measured". */
  capacity?: Capacity;
}

/** The constants that derive the protective settings from the memory limit (see presets.yaml). */
export interface ProtectionRules {
  rowGroupDivisor: number;
  rowGroupMaxBytes: number;
  blockDivisor: number;
  blockMaxBytes: number;
  rateLimitBytesPer256Mi: number;
  rateLimitMaxBytes: number;
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
    const capacity = definition.capacity;
    if (capacity && !(Number.isInteger(capacity.spansPerSecond) && capacity.conditions && capacity.evidence)) {
      throw new BuildError(name, `presets.${preset}.capacity needs spansPerSecond, conditions and evidence`);
    }
  }
  const rules = sizing.protection as unknown as Record<string, unknown> | undefined;
  const ruleNames: (keyof ProtectionRules)[] = [
    'rowGroupDivisor', 'rowGroupMaxBytes', 'blockDivisor', 'blockMaxBytes',
    'rateLimitBytesPer256Mi', 'rateLimitMaxBytes',
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
  };
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
  preset.enum = [...names, noPreset];
  const listed = names.map((name) => {
    const { resources, capacity } = sizing.presets[name]!;
    const figure = capacity ? `about ${formatCount(capacity.spansPerSecond)} spans/s measured` : 'capacity not measured';
    return `${name} (limits ${resources.limits.cpu} CPU and ${resources.limits.memory}; ${figure})`;
  });
  preset.description = `${preset.description} Presets: ${listed.join(', ')}, or ${noPreset} (sets no resources and no protective settings).`;
}

/** The README's sizing table: every preset, its resources, its protective settings and its measured capacity. */
export function renderSizingTable(sizing: Sizing, goMemLimitPercent: number): string {
  const rows = Object.entries(sizing.presets).map(([name, { resources, capacity }]) => {
    const settings = protectionFor(quantityValue(resources.limits.memory), goMemLimitPercent, sizing.protection);
    const measured = capacity ? `${formatCount(capacity.spansPerSecond)} spans/s: ${capacity.conditions}` : 'not measured';
    return [
      `\`${name}\``,
      `${resources.requests.cpu} / ${resources.requests.memory}`,
      `${resources.limits.cpu} / ${resources.limits.memory}`,
      settings.goMemLimit,
      formatCount(settings.rowGroupBytes),
      formatCount(settings.maxBlockBytes),
      formatCount(settings.rateLimitBytes),
      measured,
    ].join(' | ');
  });
  return [
    '| Preset | Requests (CPU / memory) | Limits (CPU / memory) | GOMEMLIMIT | Parquet row group (bytes) | ingester.max_block_bytes | Ingestion rate limit (bytes/s) | Sustained capacity |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    `| \`${noPreset}\` | (unset) | (unset) | (unset) | Tempo's 100,000,000 | Tempo's 524,288,000 | Tempo's 15,000,000 | not measured |`,
  ].join('\n');
}

/**
 * The table the chart's templates read (tempo.sizing.table): presets by name, each with its resources
 * and, where measured, its capacity in words; and the protection rules.
 */
export function sizingForChart(sizing: Sizing): object {
  const presets = Object.fromEntries(
    Object.entries(sizing.presets).map(([name, { resources, capacity }]) => [
      name,
      capacity ? { resources, capacity: `about ${formatCount(capacity.spansPerSecond)} spans/s (${capacity.conditions})` } : { resources },
    ]),
  );
  return { presets, protection: sizing.protection };
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
