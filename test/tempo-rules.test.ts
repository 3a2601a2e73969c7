import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ValuesOverride } from '../build/generated/values.ts';
import { paths } from '../build/paths.ts';
import { entryFor, numberOf, readRulesLedger, readTempoRules, type SeriesCheck } from '../build/tempo-rules.ts';
import { enumsByPath, readTempoKeys } from '../build/tempo-schema.ts';
import { helmRelease, renderError } from './helpers/helm.ts';
import { chartAccepts, chartSeries, chartWiring } from './helpers/invariants.ts';
import { setAt, valuesSets } from './helpers/values-sets.ts';

/**
 * Every start-up rule of every supported release (build/tempo-config/<series>/config-rules.md, read
 * from the release's source) has a verdict in build/tempo-config/rules.yaml, and each verdict holds:
 * a rule the chart mirrors is refused with Tempo's own message when values break it (generated from
 * the ledger, one rendering per check and series); a rule refused otherwise names the bad-values file
 * that pins it; only warnings are let through on purpose.
 */
const helm = helmRelease('helm4');
const ledgerFile = path.join(paths.tempoConfigSources, 'rules.yaml');
const ledger = readRulesLedger(ledgerFile);
const badValues = path.join(paths.root, 'test', 'bad-values');
const series = chartSeries();

describe.each(series)('the start-up rules of Tempo $release', ({ name }) => {
  const rules = readTempoRules(path.join(paths.tempoConfigSources, name, 'config-rules.md'));

  test('each has a verdict, and a refusal names the bad-values file that pins it', () => {
    expect(rules.length).toBeGreaterThan(50);
    const problems = rules.flatMap((rule) => {
      const entry = entryFor(rule, ledger);
      if (!entry) return [`${rule.source}: no verdict for "${rule.message}"`];
      if (entry.refusedBy && !existsSync(path.join(badValues, entry.refusedBy))) return [`${rule.source}: test/bad-values/${entry.refusedBy} does not exist`];
      if (entry.accepted && !['W', 'SW'].includes(rule.phase)) return [`${rule.source}: only a warning may be accepted, and this rule is phase ${rule.phase}`];
      return [];
    });
    expect(problems).toEqual([]);
  });
});

test('every entry of the ledger matches a rule of some release', () => {
  const rules = series.flatMap(({ name }) => readTempoRules(path.join(paths.tempoConfigSources, name, 'config-rules.md')));
  const used = new Set(rules.map((rule) => entryFor(rule, ledger)!.match));
  expect(ledger.map((entry) => entry.match).filter((match) => !used.has(match))).toEqual([]);
});

type Tree = Record<string, any>;

/** A duration of so many seconds, as Tempo reads it. */
const seconds = (value: number) => `${Math.round(value)}s`;

/** A value that breaks the check, given what it is compared with; undefined where none can be written. */
function violation(check: SeriesCheck, than: unknown): unknown {
  const asKind = (value: number) => (check.kind === 'duration' ? seconds(value) : value);
  const bound = than === undefined ? 0 : numberOf(than, check.kind) * (check.factor ?? 1);
  switch (check.must) {
    case '>':
      return asKind(bound);
    case '>=':
      return check.kind === 'duration' ? (bound >= 1 ? seconds(bound - 1) : undefined) : bound - 1;
    case '<':
      return asKind(bound);
    case '<=':
      return asKind(bound + (check.kind === 'duration' ? 60 : 1));
    case '==':
      if (typeof than === 'boolean') return !than;
      if (typeof than === 'number') return than + 1;
      return check.kind === 'opaque' ? '2026-01-01T00:00:00Z' : `${than}-other`;
    case 'notEmpty':
      return check.kind === 'array' ? [] : '';
    case 'in':
      return 'not-a-choice';
    case 'matches':
      return 'not a label';
    case 'increasing':
      return [2, 1];
    case 'togetherWith': {
      // The other key's default decides: set this one where that one is unset, and the other way round.
      const otherSet = !['', '0', '0s', 'undefined', 'null'].includes(String(than));
      if (otherSet) return check.kind === 'duration' ? '0s' : check.kind === 'string' ? '' : 0;
      return check.kind === 'duration' ? '1s' : check.kind === 'string' ? 'tempo' : 1;
    }
    default:
      return undefined;
  }
}

/** The metrics-generator's settings are refused while no metrics-generator runs. */
const generatorOn = { enabled: true, remoteWrite: [{ url: 'http://prometheus.monitoring.svc:9090/api/v1/write' }] };

/** Values that break one check on one series, as helm takes them; undefined where the check cannot be broken from values (reported). */
function breaking(check: SeriesCheck, release: string, seriesName: string): { values: Tree; files: string[]; external: string[] } | string {
  const values: Tree = { image: { tag: release } };
  const files: string[] = [];
  const external: string[] = [];
  const owned = chartWiring(seriesName).ownedKeys;
  const place = (key: string, value: unknown) => {
    const owner = owned.find((entry) => entry.key === key);
    if (owner) setAt(values, owner.value, value);
    else setAt(values, `tempo.structuredConfig.${key}`, value);
  };
  if (check.when?.value === 'tempo.metricsGenerator.enabled' || check.key.startsWith('metrics_generator')) setAt(values, 'tempo.metricsGenerator', generatorOn);
  if (check.when?.key === 'storage.trace.backend') {
    const set = valuesSets().find((candidate) => candidate.name === 's3-existing-secret')!;
    files.push(...set.files);
    external.push(...set.external);
  } else if (check.when?.key && 'equals' in check.when) place(check.when.key, check.when.equals);
  const than = check.thanKey ? check.thanDefault : check.than;
  if (check.key.includes('[]')) {
    const [list, rest] = check.key.split('[]') as [string, string];
    const element: Tree = list === 'cache.caches' ? { roles: ['bloom'], memcached: { host: 'memcached' } } : list === 'distributor.forwarders' ? { name: 'forwarder', backend: 'otlpgrpc' } : { name: 'attribute', type: 'string', scope: 'span' };
    if (check.must === 'exactlyOne') delete element.memcached;
    else if (check.must !== 'uniqueAcross') setAt(element, rest.replace(/^\./, ''), violation({ ...check, kind: rest.endsWith('roles') ? 'array' : 'string' }, than));
    // Two elements that claim the same value, where each may claim it only once.
    place(list, check.must === 'uniqueAcross' ? [element, { ...element }] : [element]);
    return { values, files, external };
  }
  let value = violation(check, than);
  if (check.thanKey && value === undefined) {
    // The release's default of the other key leaves no room (a cutoff of 0s): raise that one instead.
    place(check.thanKey, seconds(60));
    value = violation(check, '60s');
  }
  // A key with a value list takes another of its values, not a made-up one the schema would refuse first.
  const listed = enumsByPath(readTempoKeys(path.join(paths.tempoConfigSources, seriesName, 'config-keys.json'))).get(check.key);
  if (listed && check.must === '==') value = listed.find((candidate) => candidate !== than);
  if (value === undefined) return `${check.key} ${check.must} ${JSON.stringify(than)}: no value breaks it`;
  if (check.scope === 'overrides') {
    // The release's own default of the key it is compared with; the chart may derive another (the replication factor of one pod is 1).
    if (check.thanKey) return `${check.key}: compared with ${check.thanKey}, which the chart derives`;
    setAt(values, `tempo.overrides.perTenant.team-a.${check.key}`, value);
  } else place(check.key, value);
  return { values, files, external };
}

describe.each(series)('each rule the chart mirrors for Tempo $release', ({ name, release }) => {
  const checks = chartAccepts(name).checks;

  test('is checked by the chart', () => {
    expect(checks.length).toBeGreaterThan(15);
  });

  test.concurrent.each(checks.map((check) => ({ check, label: `${check.key} ${check.must} ${check.thanKey ?? JSON.stringify(check.than ?? '')}` })))('$label: refused with Tempo\'s message', async ({ check }) => {
    const plan = breaking(check, release, name);
    // A check no values can break in a release's defaults (a comparison with what the chart derives) is listed here.
    if (typeof plan === 'string') {
      expect(plan).toMatch(/ingestion\.tenant_shard_size: compared with ingester\.lifecycler\.ring\.replication_factor/);
      return;
    }
    const stderr = await renderError(helm, { values: plan.values as ValuesOverride, valuesFiles: plan.files, external: plan.external });
    expect(stderr).toContain(`Tempo ${name} `);
    expect(stderr).toContain(JSON.stringify(check.message));
  });
});
