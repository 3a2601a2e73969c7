import { beforeAll, describe, expect, test } from 'vitest';
import { helmReleases, render, type Manifest, type Rendered } from './helpers/helm.ts';

// One test per fact of the design document (../shared/seed), on the chart's defaults, installed as
// `helm install tempo ./chart -n observability`.
describe.each(helmReleases)('defaults reproduce the design document ($label)', (helm) => {
  let rendered: Rendered;
  let deployment: Manifest;
  let container: Manifest;
  let config: Record<string, any>;

  beforeAll(async () => {
    rendered = await render(helm, { release: 'tempo', namespace: 'observability' });
    deployment = rendered.get('Deployment', 'tempo');
    container = deployment.spec.template.spec.containers[0];
    config = rendered.tempoConfig();
  });

  test('renders a Deployment, Service and ConfigMap named tempo (and its ServiceAccount)', () => {
    expect(rendered.keys().sort()).toEqual(['ConfigMap/tempo', 'Deployment/tempo', 'Service/tempo', 'ServiceAccount/tempo']);
  });

  test('every resource lands in the release namespace observability', () => {
    for (const doc of rendered.documents) expect(doc.metadata.namespace, `${doc.kind}/${doc.metadata.name}`).toBe('observability');
  });

  test('the Deployment runs 1 replica', () => {
    expect(deployment.spec.replicas).toBe(1);
  });

  test('the image is grafana/tempo:2.5.0 from Docker Hub', () => {
    expect(container.image).toBe('docker.io/grafana/tempo:2.5.0');
  });

  test('the container exposes 3200 http, 4317 otlp-grpc and 4318 otlp-http', () => {
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 3200, protocol: 'TCP' },
      { name: 'otlp-grpc', containerPort: 4317, protocol: 'TCP' },
      { name: 'otlp-http', containerPort: 4318, protocol: 'TCP' },
    ]);
  });

  test('the container requests 100m CPU and 128Mi and is limited to 200m CPU and 256Mi', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '200m', memory: '256Mi' },
    });
  });

  test('volume config comes from the ConfigMap and Tempo is started with -config.file on it', () => {
    const volume = deployment.spec.template.spec.volumes.find((v: Manifest) => v.name === 'config');
    expect(volume).toEqual({ name: 'config', configMap: { name: 'tempo' } });
    const mount = container.volumeMounts.find((m: Manifest) => m.name === 'config');
    expect(mount).toEqual({ name: 'config', mountPath: '/conf', readOnly: true });
    expect(container.args).toEqual(['-config.file=/conf/tempo.yaml']);
  });

  test('volume storage is an emptyDir mounted at /var/tempo', () => {
    const volume = deployment.spec.template.spec.volumes.find((v: Manifest) => v.name === 'storage');
    expect(volume).toEqual({ name: 'storage', emptyDir: {} });
    expect(container.volumeMounts).toContainEqual({ name: 'storage', mountPath: '/var/tempo' });
  });

  // appProtocol is beyond the design: it tells meshes such as Istio that otlp-grpc speaks gRPC.
  test('the Service exposes http 3200, otlp-grpc 4317 and otlp-http 4318', () => {
    const service = rendered.get('Service', 'tempo');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 3200, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      { name: 'otlp-grpc', port: 4317, targetPort: 'otlp-grpc', protocol: 'TCP', appProtocol: 'grpc' },
      { name: 'otlp-http', port: 4318, targetPort: 'otlp-http', protocol: 'TCP', appProtocol: 'http' },
    ]);
  });

  test('the Service selects the Tempo pod', () => {
    const selector = rendered.get('Service', 'tempo').spec.selector;
    expect(selector).toEqual({ 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/instance': 'tempo' });
    expect(deployment.spec.template.metadata.labels).toMatchObject(selector);
  });

  test('Tempo serves its HTTP API on 3200', () => {
    expect(config.server.http_listen_port).toBe(3200);
  });

  test("Tempo's internal gRPC stays on 9095, not the seed's 4317 that collides with OTLP gRPC", () => {
    expect(config.server.grpc_listen_port).toBe(9095);
  });

  test('OTLP receivers listen on 0.0.0.0:4317 (gRPC) and 0.0.0.0:4318 (HTTP)', () => {
    expect(config.distributor.receivers).toEqual({
      otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } },
    });
  });

  test('the ingester flushes blocks after at most 5 minutes', () => {
    expect(config.ingester.max_block_duration).toBe('5m');
  });

  test('the compactor keeps blocks for 1 hour', () => {
    expect(config.compactor).toEqual({ compaction: { block_retention: '1h' } });
  });

  test('storage is the local backend in /var/tempo/traces with the WAL in /var/tempo/wal', () => {
    expect(config.storage.trace).toMatchObject({ backend: 'local', local: { path: '/var/tempo/traces' }, wal: { path: '/var/tempo/wal' } });
  });

  // The design's pod does not survive its first block cut under real traffic (build/sizing/measurements.md);
  // sizing preset design adds the settings its soaks held with (build/sizing/soaks.json), and nothing else.
  test('beyond the design, the configuration holds only the protective settings measured for 200m / 256Mi', () => {
    expect(Object.keys(config).sort()).toEqual(['compactor', 'distributor', 'ingester', 'overrides', 'server', 'storage', 'usage_report']);
    expect(config.ingester).toEqual({ max_block_duration: '5m', max_block_bytes: 67_000_000 });
    expect(config.storage).toEqual({
      trace: {
        backend: 'local',
        local: { path: '/var/tempo/traces' },
        wal: { path: '/var/tempo/wal' },
        block: { parquet_row_group_size_bytes: 10_000_000 },
      },
    });
    expect(config.overrides).toEqual({ defaults: { ingestion: { rate_limit_bytes: 100_000, burst_size_bytes: 16_777_216 } } });
    expect(container.env).toEqual([{ name: 'GOMEMLIMIT', value: '192MiB' }]);
  });
});
