import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import type { ValuesOverride } from '../build/generated/values.ts';
import { paths } from '../build/paths.ts';
import type { SeriesCheck } from '../build/tempo-rules.ts';
import { enumsByPath, readTempoKeys, type DumpedKey, type TempoKeysDump } from '../build/tempo-schema.ts';
import { helmRelease, render, renderError, type Rendered } from './helpers/helm.ts';
import { chartAccepts, chartSeries, chartWiring } from './helpers/invariants.ts';
import { scratchFolders } from './helpers/servers.ts';
import { parseTempoConfig } from './helpers/tempo-config.ts';
import { runsWithTempo, verifyWithTempo } from './helpers/tempo.ts';

/**
 * What each supported Tempo release accepts is read from the release itself
 * (build/tempo-config/<series>/, see docs/versions.md): the copies are their sources, unchanged; and,
 * generated from the release's own key list, every key of its configuration either reaches the
 * rendered configuration from the place a user writes it (tempo.structuredConfig, tempo.overrides
 * for the overrides, both layouts) or is refused with the value to set instead. The release's binary
 * verifies a rendering of every key that has a default.
 */
const helm = helmRelease('helm4');
const scratch = scratchFolders();
afterAll(scratch.removeAll);
const sharedTempo = path.join(paths.root, '..', 'shared', 'tempo');

type Tree = Record<string, any>;

/** Values the chart writes itself, through which a user reaches the keys below them. */
const passThrough: Record<string, string> = { 'overrides.defaults': 'tempo.overrides.defaults' };
/** An environment reference: the one form a credential may take in a ConfigMap (with -config.expand-env). */
const credentialSample = '${TEMPO_KEYS_TEST}';
const credentialKeys = new Set(YAML.parse(readFileSync(path.join(paths.tempoConfigSources, 'facts.yaml'), 'utf8')).credentialKeys as string[]);

/** The keys a user sets: leaves, and lists and maps the dump does not see into. */
function leaves(keys: DumpedKey[], under = ''): DumpedKey[] {
  const paths = new Set(keys.map((key) => key.path));
  return keys.filter((key) => {
    if (under && !key.path.startsWith(`${under}.`)) return false;
    // A key Prometheus' remote-write decoder refuses alone, without sibling settings (see KEYS.md).
    if (key.probe !== 'ok') return false;
    if (key.kind === 'object') return ![...paths].some((other) => other.startsWith(`${key.path}.`));
    if (key.kind === 'array') return !paths.has(`${key.path}[]`);
    if (key.kind === 'map') return !paths.has(`${key.path}.*`);
    return true;
  });
}

/** A value of the key's type that Tempo's decoder takes: its default where it has one, else a plain one of its kind. */
function sampleOf(key: DumpedKey, lists: Map<string, string[]>, nth = 0): unknown {
  const name = key.path.split(/[.[\]*]+/).filter(Boolean).pop()!;
  const list = lists.get(key.path);
  const isList = key.kind === 'array' || key.go_type.endsWith('ListToMap');
  if (credentialKeys.has(name) && !isList) return credentialSample;
  // A default map that Tempo fills before decoding refuses its own keys again (yaml.v2, strict).
  if (key.note?.includes('pre-populated')) return {};
  if ('default' in key && key.default !== null) return key.default;
  // The nth of a list's values: two elements of one list name different ones (a cache role is claimed once).
  if (list) return isList ? [list[nth % list.length]] : list[nth % list.length];
  // Files and folders Tempo would read or write: empty is "not used"; a made-up path is refused unless mounted.
  if (/(_file|_path|path)$/.test(name)) return '';
  const type = key.go_type.replace(/^\*/, '');
  if (type.endsWith('model.Duration')) return '1m';
  if (type.endsWith('log.Level')) return 'info';
  if (type.endsWith('flagext.Bytes')) return 1024;
  if (type.endsWith('config.TLSVersion')) return 'TLS12';
  if (type.endsWith('config.URL')) return 'http://example.com';
  if (type.endsWith('relabel.Action')) return 'replace';
  if (type === 'time.Time') return '2026-01-01T00:00:00Z';
  switch (key.kind) {
    case 'integer':
      // Large enough for a burst, which the chart refuses below a receiver's largest request.
      return 16_777_216;
    case 'number':
      return 0.5;
    case 'boolean':
      return false;
    case 'duration':
      return '1s';
    case 'array':
      return [];
    case 'map':
    case 'object':
      return {};
    default:
      return 'sample';
  }
}

/** A dumped path as steps into a tree: a list's element is its first, a map's entry is "k". */
const stepsOf = (dotted: string, strip = '') => dotted.slice(strip.length).replace(/^\./, '').replaceAll('[]', '.[]').split('.').filter(Boolean);

/** A step into a tree: a map entry's name ("k" for any), or a list element's index ([] is the first). */
type Step = string | number;
const indexOf = (step: Step) => (step === '*' ? 'k' : step === '[]' ? 0 : step);

function setAt(tree: Tree, steps: Step[], value: unknown): void {
  let node: any = tree;
  steps.forEach((step, index) => {
    const last = index === steps.length - 1;
    const next = steps[index + 1];
    const key = indexOf(step);
    if (last) node[key] = value;
    else node = node[key] ??= next === '[]' || typeof next === 'number' ? [] : {};
  });
}

/**
 * Where a list element's key goes so that the element keeps Tempo's rules: where an element takes
 * exactly one of two blocks (a cache: memcached or redis), the second block's keys go into a second
 * element, and the keys both share (its roles) into both.
 */
function placements(steps: Step[], alternatives: Map<string, string[]>): Step[][] {
  const at = steps.indexOf('[]');
  if (at < 0) return [steps];
  const list = steps.slice(0, at).join('.');
  const choices = alternatives.get(list);
  if (!choices) return [steps];
  const branch = steps[at + 1] as string;
  const element = (index: number) => [...steps.slice(0, at), index, ...steps.slice(at + 1)];
  if (branch === choices[0]) return [element(0)];
  if (branch === choices[1]) return [element(1)];
  return [element(0), element(1)];
}

function getAt(tree: unknown, steps: Step[]): { found: boolean; value?: unknown } {
  let node: any = tree;
  for (const step of steps) {
    const key = indexOf(step);
    if (node === null || typeof node !== 'object' || !(key in node)) return { found: false };
    node = node[key];
  }
  return { found: true, value: node };
}

/** Where each key of a release goes in a values file, and what the chart must do with it. */
function planFor(name: string, dump: TempoKeysDump) {
  const lists = enumsByPath(dump);
  // The chart's checks of Tempo's start-up rules: samples keep them (a value of a key's list, one of two blocks).
  const checks = chartAccepts(name).checks;
  for (const check of checks) if (check.must === 'in' && !check.scope) lists.set(check.key, check.than as string[]);
  const alternatives = new Map(checks.filter((check) => check.must === 'exactlyOne').map((check) => [check.key.replace(/\[\]$/, ''), check.than as string[]]));
  const owned = chartWiring(name).ownedKeys;
  const ownerOf = (dotted: string) => owned.find((entry) => dotted === entry.key || dotted.startsWith(`${entry.key}.`) || dotted.startsWith(`${entry.key}[]`));
  const structured: Tree = {};
  const reached: Array<{ key: string; steps: Step[]; value: unknown }> = [];
  const refused: Array<{ key: string; because: string }> = [];
  const defaults: Tree = {};
  for (const key of leaves(dump.sections.config.keys)) {
    // The receivers are an open map decoded by the OpenTelemetry Collector: receivers.yaml's, tested there.
    if (key.path.startsWith('distributor.receivers')) continue;
    const through = Object.keys(passThrough).find((prefix) => key.path.startsWith(`${prefix}.`));
    if (through) continue; // reached through tempo.overrides below
    const value = sampleOf(key, lists);
    const owner = ownerOf(key.path);
    // Keys the chart refuses only with some values (target other than all, a deprecated cache that is
    // set) take their defaults here, which the chart accepts; their refusals are pinned by bad values.
    if (owner) refused.push({ key: key.path, because: `is set by the value ${owner.value}` });
    else {
      for (const [nth, steps] of placements(stepsOf(key.path), alternatives).entries()) {
        const own = nth === 0 ? value : sampleOf(key, lists, nth);
        setAt(structured, steps, own);
        reached.push({ key: key.path, steps, value: own });
      }
      if ('default' in key && !key.path.includes('[]') && !key.path.includes('*') && value === key.default) setAt(defaults, stepsOf(key.path), value);
    }
  }
  const overrides: Tree = {};
  const overrideLeaves = leaves(dump.sections.config.keys, 'overrides.defaults').map((key) => ({ key, steps: stepsOf(key.path, 'overrides.defaults') }));
  for (const { key, steps } of overrideLeaves) setAt(overrides, steps, sampleOf(key, lists));
  // With the metrics-generator on, tempo.metricsGenerator.processors sets every tenant's processors.
  delete overrides.metrics_generator?.processors;
  const tenant: Tree = {};
  const tenantLeaves = leaves(dump.sections.per_tenant_overrides.keys).map((key) => ({ key, steps: stepsOf(key.path, 'overrides.*') }));
  // The per-tenant file has the type of overrides.defaults, whose keys carry the defaults.
  const nestedDefault = new Map(dump.sections.config.keys.map((key) => [key.path, key]));
  for (const { key, steps } of tenantLeaves) setAt(tenant, steps, sampleOf(nestedDefault.get(`overrides.defaults.${steps.join('.').replaceAll('.[]', '[]')}`) ?? key, lists));
  const flat: Tree = {};
  const flatLeaves = leaves(dump.sections.config_overrides_legacy_flat.keys)
    .filter((key) => {
      const owner = ownerOf(key.path);
      if (owner) refused.push({ key: key.path, because: `is set by the value ${owner.value}` });
      return !owner;
    })
    .map((key) => ({ key, steps: stepsOf(key.path) }));
  for (const { key, steps } of flatLeaves) setAt(flat, steps, sampleOf(key, lists));
  return { series: chartSeries().find((entry) => entry.name === name)!, structured, reached, refused, defaults, overrides, overrideLeaves, tenant, tenantLeaves, flat, flatLeaves, lists };
}

/** The values every rendering below starts from: the series' image, and the flag credentials' references need. */
const baseValues = (release: string) => ({ image: { tag: release }, tempo: { extraArgs: ['-config.expand-env=true'] } });

/** The metrics-generator's overrides are refused while no metrics-generator runs to read them. */
// (The generated values type makes every remote-write field required; the chart's schema does not.)
const generatorOn = { metricsGenerator: { enabled: true, remoteWrite: [{ url: 'http://prometheus.monitoring.svc:9090/api/v1/write' }] } } as unknown as Pick<NonNullable<ValuesOverride['tempo']>, 'metricsGenerator'>;

const perTenantFile = (rendered: Rendered) => parseTempoConfig(rendered.documents.find((doc) => doc.kind === 'ConfigMap' && doc.metadata.name === 'tempo-overrides')!.data['overrides.yaml']);

describe.each(chartSeries())('Tempo $release', ({ name, release }) => {
  const folder = path.join(paths.tempoConfigSources, name);
  test.runIf(existsSync(path.join(sharedTempo, release)))('its keys, rules and flags are the release\'s own files, copied unchanged', () => {
    for (const file of ['config-keys.json', 'config-rules.md', 'flags.txt']) {
      expect(readFileSync(path.join(folder, file), 'utf8'), `${name}/${file}: copy shared/tempo/${release}/${file} again`).toBe(readFileSync(path.join(sharedTempo, release, file), 'utf8'));
    }
  });

  const dump = readTempoKeys(path.join(folder, 'config-keys.json'));
  const plan = planFor(name, dump);

  test('the plan covers every key of the release a user can set', () => {
    expect(plan.reached.length + plan.refused.length).toBeGreaterThan(600);
    expect(plan.overrideLeaves.length).toBeGreaterThan(40);
    expect(plan.tenantLeaves.length).toBe(plan.overrideLeaves.length);
  });

  test('every key of its configuration that no value owns reaches the rendered configuration from tempo.structuredConfig', async () => {
    const rendered = await render(helm, { values: { ...baseValues(release), tempo: { ...baseValues(release).tempo, structuredConfig: plan.structured } } });
    const config = rendered.tempoConfig();
    const missing = plan.reached.filter(({ steps, value }) => {
      const found = getAt(config, steps);
      return !found.found || JSON.stringify(found.value) !== JSON.stringify(value);
    });
    expect(missing.map(({ key, value }) => `${key} = ${JSON.stringify(value)}: ${JSON.stringify(getAt(config, stepsOf(key)).value)}`)).toEqual([]);
  });

  test('every key a value owns is refused in tempo.structuredConfig, naming the value to set instead', async () => {
    const document: Tree = {};
    const keys = new Map([...dump.sections.config.keys, ...dump.sections.config_overrides_legacy_flat.keys].map((entry) => [entry.path, entry]));
    for (const { key } of plan.refused) setAt(document, stepsOf(key), sampleOf(keys.get(key)!, plan.lists));
    const stderr = await renderError(helm, { values: { ...baseValues(release), tempo: { ...baseValues(release).tempo, structuredConfig: document } } });
    const owners = new Set(chartWiring(name).ownedKeys.map((entry) => entry.key));
    const unnamed = plan.refused.filter(({ key, because }) => {
      // The refusal names the owned key (a block by its top: the key under it is in it) and the value.
      const ownedKey = [...owners].find((owner) => key === owner || key.startsWith(`${owner}.`) || key.startsWith(`${owner}[]`))!;
      return !stderr.includes(`ERROR: tempo.structuredConfig.${ownedKey} ${because}`);
    });
    expect(unnamed.map(({ key, because }) => `${key} (${because})`)).toEqual([]);
  });

  test('every overrides key reaches the configuration from tempo.overrides.defaults, and the per-tenant file from tempo.overrides.perTenant', async () => {
    const rendered = await render(helm, { values: { ...baseValues(release), tempo: { ...baseValues(release).tempo, overrides: { defaults: plan.overrides, perTenant: { 'team-a': plan.tenant } }, ...generatorOn } } });
    const defaults = rendered.tempoConfig().overrides.defaults;
    const tenant = perTenantFile(rendered).overrides['team-a'];
    const missing = [
      ...plan.overrideLeaves.filter(({ steps }) => !getAt(defaults, steps).found).map(({ key }) => key.path),
      ...plan.tenantLeaves.filter(({ steps }) => !getAt(tenant, steps).found).map(({ key }) => key.path),
    ];
    expect(missing).toEqual([]);
  });

  test('every key of the flat (legacy) overrides layout reaches the configuration, where the release reads it', async () => {
    const optIn = plan.series.legacyOverridesOptIn;
    const overrides = optIn ? { ...plan.flat.overrides, [optIn.slice('overrides.'.length)]: true } : plan.flat.overrides;
    const rendered = await render(helm, { values: { ...baseValues(release), tempo: { ...baseValues(release).tempo, structuredConfig: { overrides }, ...generatorOn } } });
    const config = rendered.tempoConfig();
    expect(plan.flatLeaves.filter(({ steps }) => !getAt(config, steps).found).map(({ key }) => key.path)).toEqual([]);
  });

  test.runIf(runsWithTempo(release))("the release's binary accepts every key the chart passes on, each at its default (-config.verify)", async () => {
    const rendered = await render(helm, { values: { ...baseValues(release), tempo: { ...baseValues(release).tempo, structuredConfig: plan.defaults, overrides: { defaults: plan.overrides }, ...generatorOn } } });
    const work = scratch.make('tempo-keys-');
    const config = JSON.parse(JSON.stringify(rendered.tempoConfig()).replaceAll('"/var/tempo', `"${work}`));
    const verdict = verifyWithTempo(config, work, release);
    expect(verdict, verdict.output).toMatchObject({ ok: true });
  });
});
