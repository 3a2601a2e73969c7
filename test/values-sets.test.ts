import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { paths } from '../build/paths.ts';
import { defaultKubeVersion, helmReleases, lint, render, renderText, type Manifest, type Rendered } from './helpers/helm.ts';
import { kubeVersions, type KubeVersion } from './helpers/kubernetes.ts';
import { chartWiring, podTemplates, targetOf } from './helpers/invariants.ts';
import { tempoConfigOf } from './helpers/tempo-config.ts';
import { ownSeries, setValues, valuesSets } from './helpers/values-sets.ts';

/**
 * Every test/values/*.yaml set, on both helm versions and for every supported Kubernetes version.
 * render() itself proves each rendering valid for that Kubernetes API, for Tempo's configuration
 * schema and for the invariants (test/helpers/verify.ts); the tests here add what is particular to a
 * values set.
 */
const sets = valuesSets();
const chartDefaults = YAML.parse(readFileSync(path.join(paths.chart, 'values.yaml'), 'utf8'));


test('the sets hold the defaults, minimal, everything and the per-environment examples layered over their base', () => {
  expect(sets.map((set) => set.name)).toEqual(expect.arrayContaining(['default', 'minimal', 'everything', 'example-dev', 'example-staging', 'example-prod']));
});

const cases = helmReleases.flatMap((helm) => sets.map((set) => ({ helm, set, label: `${set.name} (${helm.label})` })));

describe.concurrent.each(cases)('values set $label', ({ helm, set }) => {
  // With the helm test hooks: their pods must keep the invariants too.
  const input = { release: set.release, namespace: set.namespace, valuesFiles: set.files, allow: set.allow, external: set.external, tests: true };
  // Each rendering happens once, however many tests read it.
  const renderings = new Map<KubeVersion, Promise<Rendered>>();
  const rendering = (kubeVersion: KubeVersion = defaultKubeVersion) => {
    if (!renderings.has(kubeVersion)) renderings.set(kubeVersion, render(helm, { ...input, kubeVersion }));
    return renderings.get(kubeVersion)!;
  };

  test.each(kubeVersions)('is valid for Kubernetes %s and for Tempo, and keeps every invariant', async (kubeVersion) => {
    const rendered = await rendering(kubeVersion);
    expect(rendered.documents.length).toBeGreaterThan(0);
  });

  test('renders byte-identical manifests every time, so that GitOps tools settle', async () => {
    const [first, second] = await Promise.all([renderText(helm, input), renderText(helm, input)]);
    expect(second).toBe(first);
  });

  test('passes helm lint --strict with nothing to report', async () => {
    const result = await lint(helm, input);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/\[(INFO|WARNING|ERROR)\]/);
  });

  test("runs Tempo, the gateway and the helm test only from images Chart.yaml's artifacthub.io/images lists, unless the set chooses its own", async () => {
    const ownImage = set.files.some((file) => {
      const values = YAML.parse(readFileSync(file, 'utf8')) ?? {};
      return 'image' in values || values.global?.imageRegistry || values.gateway?.image || values.tests?.image;
    });
    const listed = YAML.parse(YAML.parse(readFileSync(path.join(paths.chart, 'Chart.yaml'), 'utf8')).annotations['artifacthub.io/images']).map(
      (entry: { image: string }) => entry.image,
    );
    // Init and sidecar containers are the user's own choice of image.
    const deployed = podTemplates((await rendering()).documents).flatMap((pod) =>
      pod.spec.containers.filter((container: Manifest) => ['tempo', 'nginx', 'test'].includes(container.name)).map((container: Manifest) => container.image),
    );
    expect(deployed.length).toBeGreaterThan(0);
    if (!ownImage) for (const image of deployed) expect(listed).toContain(image);
  });

  test('renders the Tempo workloads of its architecture: one (a Deployment, or a StatefulSet with an object store), or one per component running its -target, all of one configuration', async () => {
    const rendered = await rendering();
    const values = setValues(set, chartDefaults);
    const workloads = rendered.documents.filter(
      (doc) => (doc.kind === 'Deployment' || doc.kind === 'StatefulSet') && tempoConfigOf(doc.spec.template.spec, rendered.documents) !== undefined,
    );
    const targets = workloads.map((workload) => targetOf(rendered.tempoContainer(workload.metadata.name), rendered.tempoConfig(workload.metadata.name)));
    if (values.architecture === 'distributed') {
      const components = ['distributor', 'live-store', 'block-builder', 'querier', 'query-frontend', 'backend-scheduler', 'backend-worker', ...(values.tempo.metricsGenerator.enabled ? ['metrics-generator'] : [])];
      // The live-stores in zones: one StatefulSet each, running the same target.
      expect(new Set(targets)).toEqual(new Set(components));
      expect(targets.filter((target) => target === 'live-store')).toHaveLength(Math.max(1, values.components.liveStore.zones.length));
      expect(new Set(workloads.map((workload) => JSON.stringify(rendered.tempoConfig(workload.metadata.name)))).size).toBe(1);
      for (const workload of workloads) expect(rendered.component(workload.spec.template.metadata.labels['app.kubernetes.io/component']).services.length, workload.metadata.name).toBeGreaterThan(0);
      // The query API is the release's main Service.
      expect(rendered.get('Service', rendered.component('query-frontend').workload.metadata.name.replace(/-query-frontend$/, '')).spec.selector['app.kubernetes.io/component']).toBe('query-frontend');
      return;
    }
    expect(workloads).toHaveLength(1);
    expect(targets).toEqual([rendered.tempoConfig(workloads[0]!.metadata.name).target ?? 'all']);
    const fullname = workloads[0]!.metadata.name;
    expect(rendered.workload(fullname).kind).toBe(rendered.tempoConfig(fullname).storage.trace.backend === 'local' ? 'Deployment' : 'StatefulSet');
    expect(rendered.get('Service', fullname).spec.type).toBeDefined();
  });

  test('writes each value the wiring table writes as it stands at its Tempo key: always, or when set', async () => {
    const rendered = await rendering();
    const values = setValues(set, chartDefaults);
    const config = rendered.documents.map((doc) => doc.spec?.template && tempoConfigOf(doc.spec.template.spec, rendered.documents)).find(Boolean)!.config;
    const at = (node: any, dotted: string) => dotted.split('.').reduce((child, key) => child?.[key], node);
    // A section the values switch off (Kafka, another storage backend) writes none of its keys.
    const switchedOff = (value: string) =>
      (value.startsWith('tempo.receivers.kafka.') && !values.tempo.receivers.kafka.enabled) || (value.startsWith('storage.') && !value.startsWith(`storage.${values.storage.backend}.`));
    const written = chartWiring(ownSeries(set)).ownedKeys.filter((owned) => owned.written && !switchedOff(owned.value));
    expect(written.length).toBeGreaterThan(5);
    for (const owned of written) {
      const value = at(values, owned.value);
      const isSet = !(value === false || value === '' || value === null || value === undefined || (typeof value === 'object' && Object.keys(value).length === 0));
      if (owned.written === 'always' || isSet) expect(at(config, owned.key), `${owned.value} → ${owned.key}`).toEqual(value);
      else expect(at(config, owned.key), `${owned.value} is not set, so ${owned.key} stays Tempo's default`).toBeUndefined();
    }
  });

  test('puts every resource in the release namespace', async () => {
    const rendered = await rendering();
    for (const doc of rendered.documents) expect(doc.metadata.namespace, `${doc.kind}/${doc.metadata.name}`).toBe(set.namespace);
  });

  test('labels every resource with the recommended labels, and pods with all but the chart version', async () => {
    const rendered = await rendering();
    const recommended = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by'];
    // A workload's pods; a bare Pod (the helm test hook) is never rolled, and carries the chart like any resource.
    const podLabels = podTemplates(rendered.documents.filter((doc) => doc.kind !== 'Pod')).map((pod) => pod.labels);
    for (const labels of [...rendered.documents.map((doc) => doc.metadata.labels ?? {}), ...podLabels]) {
      expect(Object.keys(labels)).toEqual(expect.arrayContaining(recommended));
      expect(labels['app.kubernetes.io/instance']).toBe(set.release);
    }
    for (const doc of rendered.documents) expect(doc.metadata.labels, `${doc.kind}/${doc.metadata.name}`).toHaveProperty(['helm.sh/chart']);
    // A chart release that changes nothing else must not restart the pods.
    for (const labels of podLabels) expect(labels).not.toHaveProperty(['helm.sh/chart']);
  });
});

describe.each(helmReleases)('the per-environment examples ($label)', (helm) => {
  test('layer an environment over the shared base, key by key: prod gets base.yaml and prod.yaml', async () => {
    const prod = sets.find((set) => set.name === 'example-prod')!;
    const rendered = await render(helm, { valuesFiles: prod.files, external: prod.external });
    const pod = rendered.workload().spec.template;
    expect(pod.metadata.annotations['example.com/owner']).toBe('platform-team');
    expect(rendered.tempoConfig().server.log_format).toBe('json');
    expect(rendered.tempoConfig().compactor.compaction.block_retention).toBe('168h');
    expect(pod.spec.containers[0].resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } });
  });
});
