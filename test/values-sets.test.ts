import { beforeAll, describe, expect, test } from 'vitest';
import { helmReleases, lint, render, type Manifest, type Rendered } from './helpers/helm.ts';
import { valuesSets } from './helpers/values-sets.ts';

const sets = valuesSets();

test('test/values/ holds at least the defaults, minimal, everything, dev and prod sets', () => {
  expect(sets.map((set) => set.name)).toEqual(expect.arrayContaining(['default', 'minimal', 'everything', 'dev', 'prod']));
});

const cases = helmReleases.flatMap((helm) => sets.map((set) => ({ helm, set, label: `${set.name} (${helm.label})` })));

describe.each(cases)('values set $label', ({ helm, set }) => {
  let rendered: Rendered;
  const input = { release: set.release, namespace: set.namespace, valuesFiles: [set.file] };

  beforeAll(async () => {
    rendered = await render(helm, input);
  });

  test('passes helm lint --strict without warnings', async () => {
    const result = await lint(helm, input);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  test('renders a Deployment, a Service and a ConfigMap', () => {
    for (const kind of ['Deployment', 'Service', 'ConfigMap']) expect(rendered.ofKind(kind)).toHaveLength(1);
  });

  test('puts every resource in the release namespace', () => {
    for (const doc of rendered.documents) expect(doc.metadata.namespace, `${doc.kind}/${doc.metadata.name}`).toBe(set.namespace);
  });

  test('labels every resource and pod with the recommended labels', () => {
    const pods = rendered.ofKind('Deployment').map((d) => d.spec.template.metadata as Manifest['metadata']);
    for (const metadata of [...rendered.documents.map((doc) => doc.metadata), ...pods]) {
      expect(Object.keys(metadata.labels ?? {})).toEqual(
        expect.arrayContaining([
          'app.kubernetes.io/name',
          'app.kubernetes.io/instance',
          'app.kubernetes.io/version',
          'app.kubernetes.io/managed-by',
          'helm.sh/chart',
        ]),
      );
      expect(metadata.labels?.['app.kubernetes.io/instance']).toBe(set.release);
    }
  });

  test('selects pods by name and instance only, and the Service selects the Deployment pods', () => {
    const deployment = rendered.ofKind('Deployment')[0]!;
    const selector = deployment.spec.selector.matchLabels;
    expect(Object.keys(selector).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    expect(deployment.spec.template.metadata.labels).toMatchObject(selector);
    expect(rendered.ofKind('Service')[0]!.spec.selector).toEqual(selector);
  });

  test('every port a Service or probe names exists on the container', () => {
    const container = rendered.ofKind('Deployment')[0]!.spec.template.spec.containers[0];
    const portNames = container.ports.map((port: { name: string }) => port.name);
    for (const port of rendered.ofKind('Service')[0]!.spec.ports) expect(portNames).toContain(port.targetPort);
    for (const probe of [container.readinessProbe, container.livenessProbe].filter(Boolean)) {
      const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
      if (typeof port === 'string') expect(portNames).toContain(port);
    }
  });

  test('the Tempo configuration listens where the container ports are', () => {
    const container = rendered.ofKind('Deployment')[0]!.spec.template.spec.containers[0];
    const config = rendered.tempoConfig(rendered.ofKind('ConfigMap')[0]!.metadata.name);
    const ports = Object.fromEntries(container.ports.map((port: { name: string; containerPort: number }) => [port.name, port.containerPort]));
    expect(ports.http).toBe(config.server.http_listen_port);
    const protocols = config.distributor.receivers.otlp.protocols;
    for (const protocol of ['grpc', 'http']) {
      const endpoint: string | undefined = protocols[protocol]?.endpoint;
      expect(ports[`otlp-${protocol}`]).toBe(endpoint ? Number(endpoint.split(':').pop()) : undefined);
    }
  });
});
