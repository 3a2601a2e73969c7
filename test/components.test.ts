import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { buildChart } from '../build/chart.ts';
import { paths } from '../build/paths.ts';
import { writeOutput } from '../build/output.ts';
import { helmRelease, helmReleases, render, runHelm } from './helpers/helm.ts';
import { copiedSources } from './helpers/sources.ts';
import { valuesSets } from './helpers/values-sets.ts';

/**
 * Components as data: a workload of the chart is a row of the components table (tempo.component.<name>,
 * found by the build in any template), and the kit renders its workload, Services and disruption
 * budget. A component made up here, in a folder of its own, takes one row and its pod template, and no
 * workload template of its own.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'tempo-components-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fakeComponent = `{{- /*
tempo.component.fake: a component made up by test/components.test.ts: two pods of a StatefulSet with
a Service of their own and a disruption budget.
Usage: {{ include "tempo.component.fake" . | fromJson }}
*/ -}}
{{- define "tempo.component.fake" -}}
{{- $name := include "tempo.names.suffixed" (dict "root" . "suffix" "fake") -}}
{{- $selector := include "tempo.labels.componentSelector" (dict "root" . "component" "fake") -}}
{{- $labels := include "tempo.labels.component" (dict "root" . "component" "fake" "version" "1.0.0" "pod" false) -}}
{{- $service := dict "name" $name "labels" $labels "spec" (dict "clusterIP" "None" "selector" ($selector | fromYaml) "ports" (list (dict "name" "http" "port" 8080 "targetPort" "http" "protocol" "TCP"))) -}}
{{- toJson (dict "name" "fake" "kind" "StatefulSet" "why" "made up" "resourceName" $name "labels" $labels "selector" $selector "replicas" 2 "podTemplate" "tempo.fake.podTemplate" "statefulSet" (dict "serviceName" $name "podManagementPolicy" "Parallel") "disruption" (dict "maxUnavailable" 1) "services" (list $service)) -}}
{{- end -}}

{{- /*
tempo.fake.podTemplate: the made-up component's pod template.
Usage: {{ include "tempo.fake.podTemplate" (dict "root" . "row" $row) | fromYaml }}
*/ -}}
{{- define "tempo.fake.podTemplate" -}}
{{- with .root }}
metadata:
  labels:
    {{- include "tempo.labels.component" (dict "root" . "component" "fake" "version" "1.0.0" "pod" true) | nindent 4 }}
spec:
  {{- include "tempo.pod.commonSpec" (dict "root" . "securityContext" .Values.podSecurityContext) | nindent 2 }}
  containers:
    - name: fake
      image: docker.io/grafana/tempo:2.5.0
      args: [-target=querier]
      ports:
        - { name: http, containerPort: 8080, protocol: TCP }
      resources:
        requests: { cpu: 10m, memory: 16Mi }
        limits: { memory: 64Mi }
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
{{- end }}
{{- end -}}
`;

const sources = copiedSources(dir);
mkdirSync(path.join(sources.templates, 'templates', 'fake'));
writeFileSync(path.join(sources.templates, 'templates', 'fake', '_fake.tpl'), fakeComponent);
const chartDir = path.join(dir, 'chart');
// Only the chart: the build also writes the repository's build/generated/, which a test must not touch.
const output = buildChart(sources, chartDir);
writeOutput(new Map([...output].filter(([file]) => file.startsWith(`${chartDir}${path.sep}`))), chartDir);

describe.each(helmReleases)('a component added as one row ($label)', (helm) => {
  test('renders its workload, Service and disruption budget beside Tempo, valid for Kubernetes and the invariants', async () => {
    // render() refuses a rendering that breaks the Kubernetes API, Pod Security "restricted" or the chart's invariants.
    const rendered = await render(helm, { chartDir });
    const fake = rendered.component('fake');
    expect(fake.workload.kind).toBe('StatefulSet');
    expect(fake.workload.metadata.name).toBe('tempo-fake');
    expect(fake.workload.spec).toMatchObject({ replicas: 2, serviceName: 'tempo-fake', selector: { matchLabels: { 'app.kubernetes.io/name': 'tempo-fake', 'app.kubernetes.io/instance': 'tempo' } } });
    expect(fake.services.map((service) => service.metadata.name)).toEqual(['tempo-fake']);
    expect(fake.disruptionBudget?.spec).toEqual({ maxUnavailable: 1, selector: fake.workload.spec.selector });
    expect(fake.podSpec.containers.map((container: { name: string }) => container.name)).toEqual(['fake']);
    // Tempo's own objects are still there, unchanged in kind.
    const tempo = rendered.component('tempo');
    expect(tempo.workload.kind).toBe('Deployment');
    expect(tempo.services.map((service) => service.metadata.name)).toEqual(['tempo']);
  });
});

describe.each(helmReleases)('the components of every workload the chart renders ($label)', (helm) => {
  test('Tempo, the gateway and the helm test each have one workload, their Services and, from two pods on, a disruption budget', async () => {
    const rendered = await render(helm, {
      release: 'tracing',
      tests: true,
      values: {
        replicas: 3,
        storage: { backend: 's3', s3: { bucket: 'tempo-traces', endpoint: 's3.example.com', existingSecret: 'tempo-s3' } },
        service: { ingest: { enabled: true } },
        gateway: { enabled: true, replicas: 2, basicAuth: { users: [{ username: 'grafana', password: 'example-grafana-password' }] } },
      },
      external: ['Secret/tempo-s3'],
    });
    const tempo = rendered.component('tempo');
    expect(tempo.workload.kind).toBe('StatefulSet');
    expect(tempo.services.map((service) => service.metadata.name).sort()).toEqual(['tracing-tempo', 'tracing-tempo-headless', 'tracing-tempo-ingest']);
    expect(tempo.disruptionBudget?.metadata.name).toBe('tracing-tempo');
    const gateway = rendered.component('gateway');
    expect(gateway.workload.kind).toBe('Deployment');
    expect(gateway.services.map((service) => service.metadata.name)).toEqual(['tracing-tempo-gateway']);
    expect(gateway.disruptionBudget?.metadata.name).toBe('tracing-tempo-gateway');
    const test = rendered.component('test');
    expect(test.workload.kind).toBe('Pod');
    expect(test.services).toEqual([]);
    expect(test.disruptionBudget).toBeUndefined();
  });
});

/** The chart with one more template that prints the components table, to read it as the chart computes it. */
const tableChart = path.join(dir, 'table-chart');
cpSync(paths.chart, tableChart, { recursive: true });
writeFileSync(
  path.join(tableChart, 'templates', 'zz-components-table.yaml'),
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: components-table\ndata:\n  table: {{ include "tempo.components.table" . | quote }}\n',
);

interface ComponentRow {
  name: string;
  kind: string;
  resourceName: string;
  replicas: number;
  autoscaling?: object;
  disruption?: object;
  services?: Array<{ name: string }>;
  tempo?: { target: string; listeners: string[]; rings: string; writes: string[] };
}

describe.concurrent.each(valuesSets())('the components table of values set $name', (set) => {
  test('says what renders: each row one workload of its kind and name, with its replicas, Services and budget, and nothing else', async () => {
    const input = { release: set.release, namespace: set.namespace, valuesFiles: set.files, external: set.external, allow: set.allow, tests: true };
    const [printed, rendered] = await Promise.all([runHelm(helmRelease('helm4'), ['template', set.release, tableChart, '--namespace', set.namespace, '-s', 'templates/zz-components-table.yaml', ...set.files.flatMap((file) => ['--values', file])]), render(helmRelease('helm4'), input)]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    const rows = JSON.parse(YAML.parse(printed.stdout).data.table) as ComponentRow[];
    const workloads = rendered.documents.filter((doc) => ['Deployment', 'StatefulSet', 'Pod'].includes(doc.kind));
    expect(workloads.map((doc) => `${doc.kind}/${doc.metadata.name}`).sort()).toEqual(rows.map((row) => `${row.kind}/${row.resourceName}`).sort());
    expect(rendered.ofKind('Service').map((service) => service.metadata.name).sort()).toEqual(rows.flatMap((row) => (row.services ?? []).map((service) => service.name)).sort());
    for (const row of rows) {
      const component = rendered.component(row.name);
      expect(component.workload.metadata.name).toBe(row.resourceName);
      if (row.kind !== 'Pod') expect(component.workload.spec.replicas).toBe(row.autoscaling ? undefined : row.replicas);
      // Its Services select its pods; a Service shared by several components (distributed Tempo's gossip) is listed by one of them.
      expect(component.services.map((service) => service.metadata.name)).toEqual(expect.arrayContaining((row.services ?? []).map((service) => service.name)));
      expect(component.disruptionBudget !== undefined).toBe(row.disruption !== undefined);
      if (!row.tempo) continue;
      // What it is to Tempo: its exposed listeners are its container's ports, and every path it writes lies on a writable mount.
      const container = component.podSpec.containers.find((entry: { name: string }) => entry.name === 'tempo');
      for (const port of container.ports ?? []) expect(row.tempo.listeners).toContain(port.name);
      const writable = container.volumeMounts.filter((mount: { readOnly?: boolean }) => !mount.readOnly).map((mount: { mountPath: string }) => mount.mountPath);
      for (const written of row.tempo.writes) expect(writable.some((dir: string) => written === dir || written.startsWith(`${dir}/`)), written).toBe(true);
    }
  });
});
