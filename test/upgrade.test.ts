import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { schemaNarrowings } from '../tools/compat.ts';
import { packageVersion, paths } from '../build/paths.ts';
import { latestReleaseUpTo, nextBreakingVersion, releasedValuesSchema, upgradeNoteHeading } from '../tools/releases.ts';
import type { SchemaNode } from '../build/schema.ts';
import { defaultKubeVersion, helmRelease, helmReleases, render, runHelm, type Manifest } from './helpers/helm.ts';
import { scratchFolders } from './helpers/servers.ts';
import { immutableFieldChanges } from './helpers/upgrade.ts';
import { valuesSets } from './helpers/values-sets.ts';

/**
 * Upgrades are sacred: the current chart against the newest released package in build/releases/,
 * which is what users upgrade from. A change helm upgrade cannot apply, or values the new schema
 * refuses, fails here unless the README already carries the upgrade note of the next version that may
 * break them (the next minor before 1.0.0, the next major from then on); npm run release then insists
 * on that version.
 */
const version = packageVersion();
const baseline = latestReleaseUpTo(version);
const readme = readFileSync(paths.readme, 'utf8');
const breakingNote = baseline ? upgradeNoteHeading(nextBreakingVersion(baseline.version)) : '';
const breakingAnnounced = baseline !== undefined && readme.includes(breakingNote);
const scratch = scratchFolders();
afterAll(scratch.removeAll);

test('there is a released package to upgrade from', () => {
  expect(baseline, 'build/releases/ holds no release at or before the current version').toBeDefined();
});

test(`the values schema accepts every value ${baseline?.version} accepted, unless "${breakingNote}" announces the break`, () => {
  const released = releasedValuesSchema(baseline!);
  const current = JSON.parse(readFileSync(path.join(paths.chart, 'values.schema.json'), 'utf8')) as SchemaNode;
  const narrowings = schemaNarrowings(released, current);
  if (!breakingAnnounced) expect(narrowings).toEqual([]);
});

const helm4 = helmRelease('helm4');

describe.concurrent.each(valuesSets())(`upgrading from ${baseline?.version} with values set $name`, (set) => {
  test('keeps every object with its kind and name, and changes no field Kubernetes refuses to change in place', async (context) => {
    const kubeVersion = defaultKubeVersion;
    const released = await runHelm(
      helm4,
      ['template', set.release, baseline!.archive, '--namespace', set.namespace, '--kube-version', `${kubeVersion}.0`],
      { valuesFiles: set.files },
    );
    // Values for a feature the release did not have yet are refused by it: nothing to upgrade from.
    if (released.exitCode !== 0) context.skip();
    const before = YAML.parseAllDocuments(released.stdout).map((doc) => doc.toJS() as Manifest).filter(Boolean);
    const after = (await render(helm4, { release: set.release, namespace: set.namespace, valuesFiles: set.files, allow: set.allow, external: set.external })).documents;
    if (!breakingAnnounced) expect(immutableFieldChanges(before, after)).toEqual([]);
    // Every object the release made is still made, of the same kind under the same name (helm would delete one that is not).
    const kept = (documents: Manifest[]) => documents.filter((doc) => !doc.metadata.annotations?.['helm.sh/hook']).map((doc) => `${doc.kind}/${doc.metadata.name}`);
    expect(kept(after)).toEqual(expect.arrayContaining(kept(before)));
  });
});

test('the defaults are among the values sets compared with the release', () => {
  expect(valuesSets().map((set) => set.name)).toContain('default');
});

describe.each(helmReleases)('a chart version bump alone ($label)', (helm) => {
  test('leaves the pod template unchanged, so no pod restarts', async () => {
    const bumped = path.join(scratch.make('tempo-bumped-'), 'tempo');
    cpSync(paths.chart, bumped, { recursive: true });
    const chartYaml = path.join(bumped, 'Chart.yaml');
    writeFileSync(chartYaml, readFileSync(chartYaml, 'utf8').replace(/^version: .*$/m, 'version: 99.0.0'));
    const [current, next] = await Promise.all([render(helm), render(helm, { chartDir: bumped })]);
    expect(next.workload().metadata.labels?.['helm.sh/chart']).toBe('tempo-99.0.0');
    expect(next.workload().spec.template).toEqual(current.workload().spec.template);
  });
});

describe('the guards bite', () => {
  const deployment = (selector: Record<string, string>, replicas = 1): Manifest => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'tempo', namespace: 'observability' },
    spec: { replicas, selector: { matchLabels: selector }, template: { metadata: { labels: selector } } },
  });
  const statefulSet = (serviceName: string, storage: string, replicas = 1): Manifest => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'tempo', namespace: 'observability' },
    spec: {
      replicas,
      serviceName,
      selector: { matchLabels: { app: 'tempo' } },
      template: {},
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage } } } }],
    },
  });
  const claim = (storage: string, storageClassName: string): Manifest => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'tempo', namespace: 'observability' },
    spec: { storageClassName, resources: { requests: { storage } } },
  });

  test('on a changed Deployment selector, but not on a changed replica count', () => {
    expect(immutableFieldChanges([deployment({ app: 'tempo' })], [deployment({ app: 'tempo', tier: 'x' })])).toEqual([
      'Deployment/tempo: spec.selector changes from {"matchLabels":{"app":"tempo"}} to {"matchLabels":{"app":"tempo","tier":"x"}}',
    ]);
    expect(immutableFieldChanges([deployment({ app: 'tempo' })], [deployment({ app: 'tempo' }, 3)])).toEqual([]);
  });

  test('on a StatefulSet serviceName or volumeClaimTemplates, but not on its replicas', () => {
    expect(immutableFieldChanges([statefulSet('tempo-headless', '10Gi')], [statefulSet('tempo-gossip', '10Gi')])).toEqual([
      'StatefulSet/tempo: spec.serviceName changes from "tempo-headless" to "tempo-gossip"',
    ]);
    expect(immutableFieldChanges([statefulSet('tempo-headless', '10Gi')], [statefulSet('tempo-headless', '20Gi')])[0]).toMatch(/^StatefulSet\/tempo: spec\.volumeClaimTemplates changes/);
    expect(immutableFieldChanges([statefulSet('tempo-headless', '10Gi')], [statefulSet('tempo-headless', '10Gi', 3)])).toEqual([]);
  });

  test('on a PVC storage class, but not on a larger storage request', () => {
    expect(immutableFieldChanges([claim('10Gi', 'fast')], [claim('10Gi', 'slow')])[0]).toMatch(/^PersistentVolumeClaim\/tempo: spec/);
    expect(immutableFieldChanges([claim('10Gi', 'fast')], [claim('20Gi', 'fast')])).toEqual([]);
  });

  const schema = (properties: Record<string, SchemaNode>): SchemaNode => ({ type: 'object', additionalProperties: false, properties });

  test('on a value removed or renamed, a type, enum or bound narrowed, an object closed, a key made required or an open key typed', () => {
    const released = schema({
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      mode: { type: 'string', enum: ['a', 'b'] },
      name: { type: ['string', 'null'] },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      old: { type: 'string' },
      nested: schema({ size: { type: 'number' } }),
      shared: { type: 'object' },
    });
    const narrowed = schema({
      port: { type: 'integer', minimum: 1024, maximum: 65535 },
      mode: { type: 'string', enum: ['a'] },
      name: { type: 'string' },
      labels: { type: 'object', additionalProperties: false },
      renamed: { type: 'string' },
      nested: { ...schema({ size: { type: 'integer' } }), required: ['size'] },
      shared: { type: 'object', properties: { registry: { type: 'string' } } },
    });
    expect(schemaNarrowings(released, narrowed).sort()).toEqual(
      [
        'port: minimum raised from 1 to 1024',
        'mode: no longer accepts "b"',
        'name: type narrowed from string|null to string',
        'labels: closed to keys it took before',
        'old: removed or renamed',
        'nested: now requires size',
        'nested.size: type narrowed from number to integer',
        'shared.registry: type narrowed from any to string',
      ].sort(),
    );
  });

  test('not on values added, types widened or bounds relaxed, through $ref and allOf alike', () => {
    const definitions = { port: { type: 'integer', minimum: 1024 } };
    const released: SchemaNode = { ...schema({ port: { $ref: '#/definitions/port' }, mode: { type: 'string', enum: ['a'] } }), definitions };
    const widened: SchemaNode = {
      ...schema({ port: { allOf: [{ $ref: '#/definitions/port' }] }, mode: { type: ['string', 'null'], enum: ['a', 'b', null] }, added: { type: 'string' } }),
      definitions: { port: { type: ['integer', 'string'], minimum: 1 } },
    };
    expect(schemaNarrowings(released, widened)).toEqual([]);
  });
});
