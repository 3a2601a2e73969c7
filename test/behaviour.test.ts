import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import type { ValuesOverride } from '../build/generated/values.ts';
import { helmReleases, render, renderError, renderNotes, type Manifest, type Rendered } from './helpers/helm.ts';
import { scratchFolders } from './helpers/servers.ts';

const scratch = scratchFolders();
afterAll(scratch.removeAll);

function tempoContainer(rendered: Rendered, name = 'tempo'): Manifest {
  return rendered.tempoContainer(name);
}

function podSpec(rendered: Rendered, name = 'tempo'): Manifest {
  return rendered.workload(name).spec.template.spec;
}

describe.each(helmReleases)('behaviour ($label)', (helm) => {
  const renderValues = (values: ValuesOverride, release = 'tempo') => render(helm, { release, values });
  const refusal = (values: ValuesOverride | Record<string, unknown>) => renderError(helm, { values });

  describe.concurrent('names and namespace', () => {
    test('a 63-character fullname keeps every suffixed name within 63 characters, each ending in its suffix', async () => {
      const fullname = `t${'x'.repeat(61)}o`;
      const rendered = await render(helm, {
        tests: true,
        values: {
          fullnameOverride: fullname,
          storage: { backend: 's3', s3: { bucket: 'tempo-traces', endpoint: 's3.example.com', accessKey: 'AKIAEXAMPLE', secretKey: 'example-secret-key' } },
          service: { ingest: { enabled: true } },
          gateway: { enabled: true, basicAuth: { users: [{ username: 'grafana', password: 'example-grafana-password' }] } },
          tempo: { overrides: { perTenant: { 'team-a': { ingestion: { max_traces_per_user: 1000 } } } } },
          grafana: { datasource: { enabled: true, basicAuth: { username: 'grafana' } } },
        },
      });
      const names = rendered.documents.map((doc) => doc.metadata.name as string);
      for (const name of names) expect(name.length, name).toBeLessThanOrEqual(63);
      for (const suffix of ['headless', 'ingest', 'gateway', 'overrides', 'storage', 'grafana-datasource', 'test']) {
        expect(names.some((name) => name.endsWith(`-${suffix}`) && name.startsWith('txx')), suffix).toBe(true);
      }
    });

    test('a release named tempo names every resource tempo', async () => {
      const rendered = await render(helm, { release: 'tempo' });
      expect(new Set(rendered.documents.map((doc) => doc.metadata.name))).toEqual(new Set(['tempo']));
    });

    test('another release name gives <release>-tempo', async () => {
      const rendered = await render(helm, { release: 'staging' });
      expect(rendered.keys().sort()).toEqual(['ConfigMap/staging-tempo', 'Deployment/staging-tempo', 'Service/staging-tempo', 'ServiceAccount/staging-tempo']);
      expect(podSpec(rendered, 'staging-tempo').volumes[0].configMap.name).toBe('staging-tempo');
    });

    test('nameOverride replaces the chart name in names and the name label', async () => {
      const rendered = await renderValues({ nameOverride: 'tracing' }, 'prod');
      const deployment = rendered.workload('prod-tracing');
      expect(deployment.spec.selector.matchLabels['app.kubernetes.io/name']).toBe('tracing');
    });

    test('fullnameOverride replaces the whole name', async () => {
      const rendered = await renderValues({ fullnameOverride: 'traces' }, 'prod');
      expect(rendered.keys().sort()).toEqual(['ConfigMap/traces', 'Deployment/traces', 'Service/traces', 'ServiceAccount/traces']);
    });

    test('namespaceOverride moves every resource to that namespace', async () => {
      const rendered = await renderValues({ namespaceOverride: 'tracing' });
      for (const doc of rendered.documents) expect(doc.metadata.namespace).toBe('tracing');
    });

    test('global values from a parent chart are accepted', async () => {
      const rendered = await render(helm, { set: ['global.imageRegistry=example.com', 'global.anything.nested=1'] });
      expect(rendered.ofKind('Deployment')).toHaveLength(1);
    });
  });

  describe.concurrent('image', () => {
    test('image.tag replaces the appVersion tag and the version label', async () => {
      const rendered = await renderValues({ image: { tag: '2.5.1' } });
      expect(tempoContainer(rendered).image).toBe('docker.io/grafana/tempo:2.5.1');
      expect(rendered.get('Service', 'tempo').metadata.labels?.['app.kubernetes.io/version']).toBe('2.5.1');
    });

    test('image.digest pins the image by digest, beside the tag that names its release', async () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const rendered = await renderValues({ image: { tag: '2.5.0', digest } });
      expect(tempoContainer(rendered).image).toBe(`docker.io/grafana/tempo:2.5.0@${digest}`);
    });

    test('image.registry and image.repository choose where the image comes from', async () => {
      const rendered = await renderValues({ image: { registry: 'mirror.example.com:5000/hub', repository: 'grafana/tempo' } });
      expect(tempoContainer(rendered).image).toBe('mirror.example.com:5000/hub/grafana/tempo:2.5.0');
    });

    test('image.pullPolicy and imagePullSecrets reach the pod', async () => {
      const rendered = await render(helm, {
        values: { image: { pullPolicy: 'Always' }, imagePullSecrets: [{ name: 'regcred' }] },
        external: ['Secret/regcred'],
      });
      expect(tempoContainer(rendered).imagePullPolicy).toBe('Always');
      expect(podSpec(rendered).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    });
  });

  describe.concurrent('receivers and ports', () => {
    test('disabling OTLP gRPC removes its receiver, container port and Service port', async () => {
      const rendered = await renderValues({ tempo: { receivers: { otlp: { grpc: { enabled: false } } } } });
      expect(rendered.tempoConfig().distributor.receivers.otlp.protocols).toEqual({ http: { endpoint: '0.0.0.0:4318' } });
      expect(tempoContainer(rendered).ports.map((p: Manifest) => p.name)).toEqual(['http', 'otlp-http']);
      expect(rendered.get('Service', 'tempo').spec.ports.map((p: Manifest) => p.name)).toEqual(['http', 'otlp-http']);
    });

    test('disabling OTLP HTTP removes its receiver, container port and Service port', async () => {
      const rendered = await renderValues({ tempo: { receivers: { otlp: { http: { enabled: false } } } } });
      expect(rendered.tempoConfig().distributor.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '0.0.0.0:4317' } });
      expect(tempoContainer(rendered).ports.map((p: Manifest) => p.name)).toEqual(['http', 'otlp-grpc']);
      expect(rendered.get('Service', 'tempo').spec.ports.map((p: Manifest) => p.name)).toEqual(['http', 'otlp-grpc']);
    });

    test('disabling every receiver is refused', async () => {
      const stderr = await refusal({ tempo: { receivers: { otlp: { grpc: { enabled: false }, http: { enabled: false } } } } });
      expect(stderr).toContain('ERROR: every receiver is disabled');
    });

    test('custom ports reach the Tempo configuration, the container and the Service', async () => {
      const rendered = await renderValues({
        tempo: { server: { httpListenPort: 8080, grpcListenPort: 9999 }, receivers: { otlp: { grpc: { port: 5317 }, http: { port: 5318 } } } },
      });
      const config = rendered.tempoConfig();
      expect(config.server).toMatchObject({ http_listen_port: 8080, grpc_listen_port: 9999 });
      expect(config.distributor.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '0.0.0.0:5317' }, http: { endpoint: '0.0.0.0:5318' } });
      expect(tempoContainer(rendered).ports.map((p: Manifest) => p.containerPort)).toEqual([8080, 5317, 5318]);
      expect(rendered.get('Service', 'tempo').spec.ports.map((p: Manifest) => p.port)).toEqual([8080, 5317, 5318]);
    });

    test("the seed's grpc_listen_port 4317 is refused: it collides with OTLP gRPC", async () => {
      const stderr = await refusal({ tempo: { server: { grpcListenPort: 4317 } } });
      expect(stderr).toContain(
        'ERROR: tempo.server.grpcListenPort and tempo.receivers.otlp.grpc.port are both 4317, but two listeners cannot share a port',
      );
      expect(stderr).toContain('defaults: tempo.server.grpcListenPort 9095, tempo.receivers.otlp.grpc.port 4317');
    });

    test('the HTTP API and the OTLP HTTP receiver may not share a port', async () => {
      const stderr = await refusal({ tempo: { receivers: { otlp: { http: { port: 3200 } } } } });
      expect(stderr).toContain('ERROR: tempo.server.httpListenPort and tempo.receivers.otlp.http.port are both 3200');
    });

    test("a port that collides with memberlist's 7946 is refused", async () => {
      const stderr = await refusal({ tempo: { server: { grpcListenPort: 7946 } } });
      expect(stderr).toContain('ERROR: tempo.server.grpcListenPort and tempo.memberlist.bindPort are both 7946');
    });

    test('a disabled receiver frees its port', async () => {
      const rendered = await renderValues({ tempo: { server: { grpcListenPort: 4317 }, receivers: { otlp: { grpc: { enabled: false } } } } });
      expect(rendered.tempoConfig().server.grpc_listen_port).toBe(4317);
    });
  });

  describe.concurrent('Tempo configuration', () => {
    test('retention, block duration and data directory reach the configuration and the mount', async () => {
      const rendered = await renderValues({ tempo: { retention: '720h', maxBlockDuration: '30m', dataDir: '/data' } });
      const config = rendered.tempoConfig();
      expect(config.compactor.compaction.block_retention).toBe('720h');
      expect(config.ingester.max_block_duration).toBe('30m');
      expect(config.storage.trace.local.path).toBe('/data/traces');
      expect(config.storage.trace.wal.path).toBe('/data/wal');
      expect(tempoContainer(rendered).volumeMounts).toContainEqual({ name: 'storage', mountPath: '/data' });
    });

    test('log level, log format and usage reporting are set from values', async () => {
      const rendered = await renderValues({ tempo: { server: { logLevel: 'debug', logFormat: 'json' }, reportingEnabled: false } });
      const config = rendered.tempoConfig();
      expect(config.server).toMatchObject({ log_level: 'debug', log_format: 'json' });
      expect(config.usage_report).toEqual({ reporting_enabled: false });
    });

    test('structuredConfig adds keys and keeps the generated siblings', async () => {
      const rendered = await renderValues({
        tempo: { structuredConfig: { ingester: { trace_idle_period: '20s' }, querier: { max_concurrent_queries: 8 } } },
      });
      const config = rendered.tempoConfig();
      expect(config.ingester).toEqual({ max_block_duration: '5m', max_block_bytes: 67000000, trace_idle_period: '20s' });
      expect(config.querier).toEqual({ max_concurrent_queries: 8 });
    });

    test('structuredConfig overrides a setting the chart derives, 0 included', async () => {
      const rendered = await renderValues({ tempo: { structuredConfig: { ingester: { max_block_bytes: 0 } } } });
      expect(rendered.tempoConfig().ingester).toEqual({ max_block_duration: '5m', max_block_bytes: 0 });
    });

    test('a later values file removes a structuredConfig key with null, and a block it leaves empty, as the description says', async () => {
      const folder = scratch.make('tempo-layers-');
      const base = path.join(folder, 'base.yaml');
      const later = path.join(folder, 'later.yaml');
      writeFileSync(base, YAML.stringify({ tempo: { structuredConfig: { ingester: { trace_idle_period: '20s' }, query_frontend: { search: { duration_slo: '5s' } } } } }));
      writeFileSync(later, YAML.stringify({ tempo: { structuredConfig: { ingester: { trace_idle_period: null }, query_frontend: { search: { duration_slo: null } } } } }));
      const config = (await render(helm, { valuesFiles: [base, later] })).tempoConfig();
      expect(config.ingester).toEqual({ max_block_duration: '5m', max_block_bytes: 67000000 });
      expect(config).not.toHaveProperty('query_frontend');
    });

    test('structuredConfig replaces lists instead of merging them', async () => {
      const rendered = await renderValues({
        storage: { backend: 's3', s3: { bucket: 'traces' } },
        tempo: { structuredConfig: { memberlist: { join_members: ['a:7946', 'b:7946'] } } },
      });
      expect(rendered.tempoConfig().memberlist.join_members).toEqual(['a:7946', 'b:7946']);
    });

    test('structuredConfig tunes an enabled OTLP protocol beside the endpoint the chart sets', async () => {
      const rendered = await renderValues({
        tempo: { structuredConfig: { distributor: { receivers: { otlp: { protocols: { grpc: { max_recv_msg_size_mib: 16 } } } } } } },
      });
      expect(rendered.tempoConfig().distributor.receivers.otlp.protocols.grpc).toEqual({ endpoint: '0.0.0.0:4317', max_recv_msg_size_mib: 16 });
    });

    test('structuredConfig takes the flat overrides layout Tempo 2.5 still reads, and the ingestion limit follows it', async () => {
      const rendered = await renderValues({ tempo: { structuredConfig: { overrides: { max_traces_per_user: 50000 } } } });
      expect(rendered.tempoConfig().overrides).toEqual({
        max_traces_per_user: 50000,
        ingestion_rate_limit_bytes: 100000,
        ingestion_burst_size_bytes: 16777216,
      });
    });

    test('tempo.overrides.defaults takes the nested overrides layout; an own rate limit takes no derived burst', async () => {
      const rendered = await renderValues({
        tempo: { overrides: { defaults: { ingestion: { rate_limit_bytes: 20000000 } } }, structuredConfig: { overrides: { per_tenant_override_period: '30s' } } },
      });
      expect(rendered.tempoConfig().overrides).toEqual({ defaults: { ingestion: { rate_limit_bytes: 20000000 } }, per_tenant_override_period: '30s' });
    });

    test('a credential reaches Tempo through an environment reference filled from a Secret', async () => {
      const rendered = await render(helm, {
        values: {
          tempo: {
            extraArgs: ['-config.expand-env=true'],
            extraEnv: [{ name: 'S3_SESSION_TOKEN', valueFrom: { secretKeyRef: { name: 'tempo-s3', key: 'session-token' } } }],
            structuredConfig: { storage: { trace: { s3: { session_token: '${S3_SESSION_TOKEN}' } } } },
          },
          storage: { backend: 's3', s3: { bucket: 'traces' } },
        },
        external: ['Secret/tempo-s3'],
      });
      expect(rendered.tempoConfig().storage.trace.s3.session_token).toBe('${S3_SESSION_TOKEN}');
      const container = rendered.tempoContainer();
      expect(container.args).toContain('-config.expand-env=true');
      const token = container.env.find((variable: Manifest) => variable.name === 'S3_SESSION_TOKEN');
      expect(token.valueFrom.secretKeyRef).toEqual({ name: 'tempo-s3', key: 'session-token' });
    });

    test('a null in structuredConfig removes a generated key', async () => {
      const rendered = await renderValues({ tempo: { structuredConfig: { ingester: { max_block_bytes: null } } } });
      expect(rendered.tempoConfig().ingester).toEqual({ max_block_duration: '5m' });
    });

    test.each([
      ['server.http_listen_port', { server: { http_listen_port: 8080 } }, 'tempo.server.httpListenPort'],
      ['server.grpc_listen_port', { server: { grpc_listen_port: 4317 } }, 'tempo.server.grpcListenPort'],
      ['the OTLP gRPC endpoint', { distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: '0.0.0.0:1' } } } } } }, 'tempo.receivers.otlp.grpc.port'],
      ['the OTLP HTTP endpoint', { distributor: { receivers: { otlp: { protocols: { http: { endpoint: '0.0.0.0:1' } } } } } }, 'tempo.receivers.otlp.http.port'],
      ['the block path', { storage: { trace: { local: { path: '/tmp/traces' } } } }, 'tempo.dataDir'],
      ['the WAL path', { storage: { trace: { wal: { path: '/tmp/wal' } } } }, 'tempo.dataDir'],
      ['the retention', { compactor: { compaction: { block_retention: '48h' } } }, 'tempo.retention'],
      ['the block duration', { ingester: { max_block_duration: '1h' } }, 'tempo.maxBlockDuration'],
      ['the log level', { server: { log_level: 'warn' } }, 'tempo.server.logLevel'],
      ['usage reporting', { usage_report: { reporting_enabled: false } }, 'tempo.reportingEnabled'],
      ['the storage backend', { storage: { trace: { backend: 's3' } } }, 'storage.backend'],
      ['the S3 bucket', { storage: { trace: { s3: { bucket: 'b' } } } }, 'storage.s3.bucket'],
    ])('structuredConfig may not set %s, which has a value of its own', async (_name, structuredConfig, value) => {
      const stderr = await refusal({ tempo: { structuredConfig } });
      expect(stderr).toMatch(new RegExp(`ERROR: tempo\\.structuredConfig\\.\\S+ is set by the value ${value.replaceAll('.', '\\.')}, the one way to set it`));
      expect(stderr).toContain(`set ${value} instead`);
    });

    test('a changed configuration changes the pod template, so the pod restarts', async () => {
      const before = await renderValues({});
      const after = await renderValues({ tempo: { retention: '2h' } });
      const checksum = (rendered: Rendered) => rendered.workload().spec.template.metadata.annotations['checksum/config'];
      expect(checksum(before)).toMatch(/^[a-f0-9]{64}$/);
      expect(checksum(after)).not.toBe(checksum(before));
    });
  });

  describe.concurrent('pod', () => {
    test('extraArgs follow -config.file and extraEnv becomes the container environment', async () => {
      const rendered = await renderValues({
        tempo: { extraArgs: ['-config.expand-env=true'], extraEnv: [{ name: 'GOMEMLIMIT', value: '230MiB' }] },
      });
      expect(tempoContainer(rendered).args).toEqual(['-config.file=/conf/tempo.yaml', '-config.expand-env=true']);
      expect(tempoContainer(rendered).env).toEqual([{ name: 'GOMEMLIMIT', value: '230MiB' }]);
    });

    test('resources replace the defaults', async () => {
      const rendered = await renderValues({ resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } } });
      expect(tempoContainer(rendered).resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } });
    });

    test('pod annotations and labels are added to the pod template', async () => {
      const rendered = await renderValues({ podAnnotations: { 'example.com/a': 'x' }, podLabels: { team: 'tracing' } });
      const metadata = rendered.workload().spec.template.metadata;
      expect(metadata.annotations['example.com/a']).toBe('x');
      expect(metadata.labels.team).toBe('tracing');
    });

    test('podLabels may not replace a selector label', async () => {
      const stderr = await refusal({ podLabels: { 'app.kubernetes.io/instance': 'other' } });
      expect(stderr).toContain('ERROR: podLabels sets app.kubernetes.io/instance');
    });

    test('nodeSelector, tolerations and affinity reach the pod', async () => {
      const tolerations = [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }];
      const affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } };
      const rendered = await renderValues({ nodeSelector: { 'kubernetes.io/arch': 'amd64' }, tolerations, affinity });
      expect(podSpec(rendered)).toMatchObject({ nodeSelector: { 'kubernetes.io/arch': 'amd64' }, tolerations, affinity });
    });

    test('replicas 0 scales Tempo down', async () => {
      const rendered = await renderValues({ replicas: 0 });
      expect(rendered.workload().spec.replicas).toBe(0);
    });

    test('more than one replica is refused while storage is local', async () => {
      const stderr = await refusal({ replicas: 2 });
      expect(stderr).toContain('ERROR: replicas is 2, but storage.backend is local: each pod would keep its own traces');
    });

    test('tempo.dataDir may not lie in the configuration mount', async () => {
      const stderr = await refusal({ tempo: { dataDir: '/conf/data' } });
      expect(stderr).toContain('ERROR: tempo.dataDir is /conf/data, inside /conf');
    });

    test('the pod meets Pod Security "restricted" by default', async () => {
      const rendered = await renderValues({});
      expect(podSpec(rendered).securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(tempoContainer(rendered).securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(podSpec(rendered).automountServiceAccountToken).toBe(false);
    });

    test('readiness asks /ready and liveness /api/echo on the http port', async () => {
      const container = tempoContainer(await renderValues({}));
      expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/api/echo', port: 'http' });
    });
  });

  describe.concurrent('service and service account', () => {
    test('service type, annotations and labels are set from values', async () => {
      const rendered = await renderValues({ service: { type: 'LoadBalancer', annotations: { 'example.com/lb': 'internal' }, labels: { tier: 'obs' } } });
      const service = rendered.get('Service', 'tempo');
      expect(service.spec.type).toBe('LoadBalancer');
      expect(service.metadata.annotations).toEqual({ 'example.com/lb': 'internal' });
      expect(service.metadata.labels?.tier).toBe('obs');
    });

    test('serviceAccount.create false renders no ServiceAccount and uses the one named', async () => {
      const rendered = await render(helm, {
        values: { serviceAccount: { create: false, name: 'shared' } },
        external: ['ServiceAccount/shared'],
      });
      expect(rendered.ofKind('ServiceAccount')).toHaveLength(0);
      expect(podSpec(rendered).serviceAccountName).toBe('shared');
    });

    test('serviceAccount name and annotations shape the created ServiceAccount', async () => {
      const rendered = await renderValues({ serviceAccount: { name: 'tempo-sa', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/t' } } });
      expect(rendered.get('ServiceAccount', 'tempo-sa').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/t' });
      expect(podSpec(rendered).serviceAccountName).toBe('tempo-sa');
    });
  });
});

describe('NOTES.txt (helm4)', () => {
  test('tells where to send OTLP and how to query traces', async () => {
    const notes = await renderNotes();
    expect(notes).toContain('OTLP gRPC: tempo.observability.svc:4317');
    expect(notes).toContain('OTLP HTTP: http://tempo.observability.svc:4318  (POST /v1/traces)');
    expect(notes).toContain('http://tempo.observability.svc:3200');
    expect(notes).toContain('GET /api/traces/<trace id>');
    expect(notes).toContain('kubectl --namespace observability port-forward service/tempo 3200:http');
  });

  test('leaves out a disabled receiver', async () => {
    expect(await renderNotes({ tempo: { receivers: { otlp: { grpc: { enabled: false } } } } })).not.toContain('gRPC:');
  });
});
