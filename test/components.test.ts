import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildChart } from '../build/chart.ts';
import { writeOutput } from '../build/output.ts';
import { helmReleases, render } from './helpers/helm.ts';
import { copiedSources } from './helpers/sources.ts';

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
Usage: {{ include "tempo.fake.podTemplate" . | fromYaml }}
*/ -}}
{{- define "tempo.fake.podTemplate" -}}
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
