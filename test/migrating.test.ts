import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { loadValuesSchema } from '../build/chart.ts';
import { loadOtherCharts, otherChartMessage } from '../build/other-charts.ts';
import { paths } from '../build/paths.ts';
import { helmReleases, render, renderError } from './helpers/helm.ts';
import { setAt } from './helpers/values-sets.ts';

/**
 * Arriving from another Tempo chart (docs/migrating.md): each of the other charts' values that
 * build/other-charts.yaml lists is refused by name with the value to use here, and a realistic values
 * file of the grafana-community chart, translated as the page says, keeps that chart's claim.
 */
const others = loadOtherCharts(paths.otherCharts, loadValuesSchema());
const fixtures = path.join(paths.root, 'test', 'fixtures', 'other-charts');

const errorLines = (stderr: string) => stderr.split('\n').map((line) => line.replace(/^Error: execution error at \([^)]*\): /, '')).filter((line) => line.startsWith('ERROR: '));

describe.each(helmReleases)('values of other charts ($label)', (helm) => {
  test('every value the mapping lists passes the schema and is refused with the value to use, all at once', async () => {
    const values: Record<string, any> = {};
    for (const value of others.values) setAt(values, value.from, { from: 'another chart' });
    const stderr = await renderError(helm, { values });
    expect(errorLines(stderr).sort()).toEqual(others.values.map((value) => otherChartMessage(others, value)).sort());
  });

  test("a pod-level key in securityContext, where that chart's pod context went, names podSecurityContext", async () => {
    const stderr = await renderError(helm, { values: { securityContext: { runAsUser: 10001, fsGroup: 10001 } } });
    expect(errorLines(stderr)).toEqual([expect.stringMatching(/^ERROR: securityContext\.fsGroup is a value of the grafana-community tempo chart, not of this one: here it is podSecurityContext/)]);
  });

  test('a typo in securityContext is still refused by the Kubernetes type', async () => {
    const stderr = await renderError(helm, { values: { securityContext: { readOnlyRootFilesystm: true } } });
    expect(stderr).toContain('readOnlyRootFilesystm');
  });

  test("a grafana-community values file is refused naming each of that chart's values; its translation renders and keeps the old claim", async () => {
    const stderr = await renderError(helm, { valuesFiles: [path.join(fixtures, 'grafana-community.yaml')] });
    const set = ['tempo.repository', 'tempo.tag', 'tempo.resources', 'tempo.storage', 'tempo.receivers.otlp.protocols', 'tempo.metricsGenerator.remoteWriteUrl', 'securityContext.fsGroup', 'serviceMonitor'];
    // Beside them, rules of this chart may speak too (a metrics-generator without remote write).
    const named = errorLines(stderr).filter((line) => line.includes(' is a value of the '));
    expect(named.map((line) => line.split(' ')[1]).sort()).toEqual(set.sort());

    // The translation is a values set: every check, real Tempo's -config.verify included, covers it.
    const rendered = await render(helm, { valuesFiles: [path.join(paths.valuesSets, 'migrated-from-grafana-community.yaml')], external: ['PersistentVolumeClaim/storage-tempo-0'] });
    const pod = rendered.workload().spec.template.spec;
    expect(rendered.workload().kind).toBe('Deployment');
    // The old chart's StatefulSet kept /var/tempo on storage-tempo-0, written by UID 10001.
    const volume = pod.volumes.find((entry: { persistentVolumeClaim?: { claimName: string } }) => entry.persistentVolumeClaim);
    expect(volume.persistentVolumeClaim.claimName).toBe('storage-tempo-0');
    expect(rendered.tempoContainer().volumeMounts).toContainEqual(expect.objectContaining({ name: volume.name, mountPath: '/var/tempo' }));
    expect(pod.securityContext).toMatchObject({ runAsUser: 10001, fsGroup: 10001 });
    expect(rendered.ofKind('PersistentVolumeClaim')).toEqual([]);
    const config = rendered.tempoConfig();
    expect(config.storage.trace).toMatchObject({ backend: 'local', local: { path: '/var/tempo/traces' }, wal: { path: '/var/tempo/wal' } });
    expect(rendered.ofKind('ServiceMonitor')).toHaveLength(1);
  });

  test("scaled out on object storage, the StatefulSet's claims take the old chart's names, storage-<fullname>-<ordinal>", async () => {
    const storage = { backend: 's3' as const, s3: { bucket: 'tempo-traces', endpoint: 's3.eu-west-1.amazonaws.com', existingSecret: 'tempo-s3' } };
    for (const [release, fullnameOverride, name] of [['tempo', '', 'tempo'], ['tracing', 'old-tempo', 'old-tempo']] as const) {
      const rendered = await render(helm, { release, values: { replicas: 2, storage, persistence: { enabled: true }, fullnameOverride }, external: ['Secret/tempo-s3'] });
      const workload = rendered.workload(name);
      expect(workload.kind).toBe('StatefulSet');
      expect(workload.spec.volumeClaimTemplates.map((claim: { metadata: { name: string } }) => claim.metadata.name)).toEqual(['storage']);
      expect(rendered.tempoContainer(name).volumeMounts).toContainEqual(expect.objectContaining({ name: 'storage', mountPath: '/var/tempo' }));
    }
  });
});

test('docs/migrating.md shows every mapped value, from the mapping', () => {
  const page = readFileSync(path.join(paths.docs, 'migrating.md'), 'utf8');
  for (const value of others.values) expect(page).toContain(`| \`${value.from}\` |`);
  expect(YAML.parse(readFileSync(paths.otherCharts, 'utf8')).values).toHaveLength(others.values.length);
});
