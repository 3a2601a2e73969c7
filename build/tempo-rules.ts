import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { BuildError } from './errors.ts';
import { relative } from './paths.ts';

/**
 * What a Tempo release checks beyond its keys, read from the release's own files in
 * build/tempo-config/<series>/: the command-line flags its binary defines (flags.txt, `tempo -help`)
 * and its start-up rules (config-rules.md, each with its message and source line at the tag).
 */

/** The flags the release's binary defines, without the leading dash. */
export function readTempoFlags(file: string): string[] {
  const flags = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('-'))
    .map((line) => line.slice(1).split('\t')[0]!);
  if (flags.length === 0) throw new BuildError(relative(file), 'lists no flags (lines "-name<TAB>type<TAB>default")');
  return flags;
}

/** One start-up rule of a release: W warning (-config.verify fails), P parse, M main, S fatal at start, SW logged, O per-tenant file, N no caller. */
export interface TempoRule {
  phase: 'W' | 'P' | 'M' | 'S' | 'SW' | 'O' | 'N';
  condition: string;
  message: string;
  /** file:line at the release's tag: names the rule. */
  source: string;
}

const ruleLine = /^- \[(W|P|M|S|SW|O|N)\] (.*) -> (".*"|.*) \(([^()]+:\d+)\)$/;

export function readTempoRules(file: string): TempoRule[] {
  const rules: TempoRule[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('- [')) continue;
    const match = ruleLine.exec(line);
    if (!match) throw new BuildError(relative(file), `cannot read the rule ${line.slice(0, 80)}`);
    rules.push({ phase: match[1] as TempoRule['phase'], condition: match[2]!, message: match[3]!.replace(/^"|"$/g, ''), source: match[4]! });
  }
  if (rules.length === 0) throw new BuildError(relative(file), 'lists no rules');
  return rules;
}

/** One check of the ledger (build/tempo-config/rules.yaml), as written there. */
interface LedgerCheck {
  key: string;
  must: '>' | '>=' | '<' | '<=' | '==' | '!=' | 'notEmpty' | 'in' | 'matches' | 'exactlyOne' | 'increasing' | 'togetherWith' | 'uniqueAcross';
  than?: unknown;
  factor?: number;
  when?: { key?: string; equals?: unknown; notEquals?: unknown; set?: boolean; value?: string };
  scope?: 'overrides';
}

/** One entry of the ledger: the rules whose message holds `match`, and the chart's verdict on them. */
export interface LedgerEntry {
  match: string;
  checks?: LedgerCheck[];
  refusedBy?: string;
  unreachable?: string;
  accepted?: string;
  left?: string;
}

const verdicts = ['checks', 'refusedBy', 'unreachable', 'accepted', 'left'] as const;

export function readRulesLedger(file: string): LedgerEntry[] {
  const entries = (YAML.parse(readFileSync(file, 'utf8')) as { rules?: LedgerEntry[] }).rules ?? [];
  const problems = entries.flatMap((entry) => {
    const given = verdicts.filter((verdict) => entry[verdict] !== undefined);
    return given.length === 1 ? [] : [`"${entry.match}" needs exactly one of ${verdicts.join(', ')}`];
  });
  if (problems.length > 0) throw new BuildError(relative(file), problems.join('; '));
  return entries;
}

/** The ledger's entry for a rule: the one whose match is the longest part of its message. */
export function entryFor(rule: TempoRule, ledger: LedgerEntry[]): LedgerEntry | undefined {
  return ledger.filter((entry) => rule.message.includes(entry.match)).sort((a, b) => b.match.length - a.match.length)[0];
}

/** Seconds per unit of a Go duration (ns to h) and of a Prometheus one (d, w, y). */
const durationUnits: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/**
 * A value of Tempo's configuration as a number, the way the chart's rules compare them
 * (tempo.rules.number): a duration in seconds (a bare number of a duration key is nanoseconds, as
 * Tempo reads it), a boolean as 1 or 0, a missing value as 0.
 */
export function numberOf(value: unknown, kind: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return kind === 'duration' ? value / 1e9 : value;
  if (typeof value === 'string') {
    if (/^-?[0-9.]+$/.test(value)) return Number(value);
    return [...value.matchAll(/([0-9.]+)(ns|us|µs|ms|s|m|h|d|w|y)/g)].reduce((sum, [, amount, unit]) => sum + Number(amount) * durationUnits[unit!]!, 0);
  }
  return 0;
}

/** The kinds of value the rules compare as numbers. */
const numericKinds = ['integer', 'number', 'duration'];

/** A check as the chart's validation runs it for one series: keys resolved against the release, defaults filled in. */
export interface SeriesCheck {
  message: string;
  phase: TempoRule['phase'];
  key: string;
  kind: string;
  default?: unknown;
  must: LedgerCheck['must'];
  than?: unknown;
  /** When than names a key of the configuration: that key, its kind and its default. */
  thanKey?: string;
  thanDefault?: unknown;
  factor?: number;
  when?: LedgerCheck['when'] & { default?: unknown };
  scope?: 'overrides';
  /**
   * For a comparison of numbers: default, than and thanDefault as numbers (numberOf), so that the
   * chart converts only the durations a configuration sets, not the release's defaults on every render.
   */
  numbers?: { default?: number; than?: number; thanDefault?: number };
}

/** A check's defaults and bound as numbers, where it compares numbers. */
function withNumbers(check: SeriesCheck): SeriesCheck {
  if (!numericKinds.includes(check.kind)) return check;
  const numbers = Object.fromEntries(
    (['default', 'than', 'thanDefault'] as const).filter((field) => field in check).map((field) => [field, numberOf(check[field], check.kind)]),
  );
  return { ...check, numbers };
}

/**
 * The checks the chart runs for one series: every rule of the release whose ledger entry has checks,
 * each check kept where the release has its key. A rule of the release without an entry, or whose
 * checks all name keys it lacks, stops the build.
 */
export function seriesChecks(file: string, series: string, rules: TempoRule[], ledger: LedgerEntry[], keys: Map<string, { kind: string; default?: unknown }>): SeriesCheck[] {
  const problems: string[] = [];
  const checks: SeriesCheck[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const entry = entryFor(rule, ledger);
    if (!entry) {
      problems.push(`series ${series}: no entry matches the rule "${rule.message}" (${rule.source})`);
      continue;
    }
    if (!entry.checks || seen.has(entry.match)) continue;
    seen.add(entry.match);
    // A check whose condition names a key the release lacks cannot fire there (3.0 has no ingest.enabled:
    // its single binary never reads Kafka).
    let conditionAbsent = false;
    const resolved = entry.checks.flatMap((check): SeriesCheck[] => {
      const keyPath = check.scope === 'overrides' ? `overrides.defaults.${check.key}` : check.key;
      const key = keys.get(keyPath.replace(/\[\]$/, '')) ?? keys.get(keyPath);
      if (!key) return [];
      const thanKey = typeof check.than === 'string' && keys.has(check.than) ? check.than : undefined;
      const whenKey = check.when?.key ? (check.scope === 'overrides' ? `overrides.defaults.${check.when.key}` : check.when.key) : undefined;
      if (whenKey && !keys.has(whenKey)) {
        conditionAbsent = true;
        return [];
      }
      return [withNumbers({
        message: rule.message,
        phase: rule.phase,
        key: check.key,
        kind: key.kind,
        ...('default' in key ? { default: key.default } : {}),
        must: check.must,
        ...(check.than === 'default' ? { than: key.default } : thanKey ? { thanKey, thanDefault: keys.get(thanKey)!.default } : check.than !== undefined ? { than: check.than } : {}),
        ...(check.factor !== undefined ? { factor: check.factor } : {}),
        ...(check.when ? { when: { ...check.when, ...(whenKey ? { default: keys.get(whenKey)!.default } : {}) } } : {}),
        ...(check.scope ? { scope: check.scope } : {}),
      })];
    });
    if (resolved.length === 0 && !conditionAbsent) problems.push(`series ${series}: the checks of "${entry.match}" name no key Tempo ${series} has`);
    checks.push(...resolved);
  }
  if (problems.length > 0) throw new BuildError(relative(file), problems.join('; '));
  return checks;
}
