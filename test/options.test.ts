import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { paths } from '../build/paths.ts';
import { helmReleases, render, type Manifest } from './helpers/helm.ts';
import { parseTempoConfig } from './helpers/tempo-config.ts';

const valuesSet = (name: string) => path.join(paths.root, 'test', 'values', `${name}.yaml`);

describe.each(helmReleases)('metrics-generator, tenants and pod options ($label)', (helm) => {
  const renderSet = (name: string, external: string[] = []) => render(helm, { valuesFiles: [valuesSet(name)], external });
  const renderValues = (values: object, external: string[] = []) => render(helm, { values, external });

  describe.concurrent('metrics-generator (values set metrics-generator)', () => {
    const external = ['Secret/mimir-credentials', 'Secret/grafana-cloud-token'];

    test('keeps its WAL and local blocks on the data volume, remote-writes with credentials from the environment, and shares a ring', async () => {
      const config = (await renderSet('metrics-generator', external)).tempoConfig();
      expect(config.metrics_generator).toEqual({
        storage: {
          path: '/var/tempo/generator/wal',
          remote_write: [
            {
              name: 'mimir',
              url: 'http://mimir-nginx.mimir.svc/api/v1/push',
              headers: { 'X-Scope-OrgID': 'tracing' },
              send_exemplars: true,
              basic_auth: { username: '${REMOTE_WRITE_0_USERNAME}', password: '${REMOTE_WRITE_0_PASSWORD}' },
            },
            {
              name: 'grafana-cloud',
              url: 'https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push',
              authorization: { type: 'Bearer', credentials: '${REMOTE_WRITE_1_TOKEN}' },
            },
          ],
        },
        traces_storage: { path: '/var/tempo/generator/traces' },
        registry: { external_labels: { cluster: 'prod-eu-1' } },
        ring: { kvstore: { store: 'memberlist' } },
      });
      expect(config.overrides.defaults.metrics_generator).toEqual({ processors: ['service-graphs', 'span-metrics', 'local-blocks'] });
    });

    test('fills each credential from its Secret, and Tempo expands them', async () => {
      const container = (await renderSet('metrics-generator', external)).tempoContainer();
      expect(container.env).toEqual(
        expect.arrayContaining([
          { name: 'REMOTE_WRITE_0_USERNAME', valueFrom: { secretKeyRef: { name: 'mimir-credentials', key: 'username' } } },
          { name: 'REMOTE_WRITE_0_PASSWORD', valueFrom: { secretKeyRef: { name: 'mimir-credentials', key: 'password' } } },
          { name: 'REMOTE_WRITE_1_TOKEN', valueFrom: { secretKeyRef: { name: 'grafana-cloud-token', key: 'api-token' } } },
        ]),
      );
      expect(container.args).toContain('-config.expand-env=true');
    });

    test('follows the flat overrides layout when the user writes it', async () => {
      const config = (
        await renderValues({ tempo: { metricsGenerator: { enabled: true, processors: ['local-blocks'] }, structuredConfig: { overrides: { max_traces_per_user: 1000 } } } })
      ).tempoConfig();
      expect(config.overrides).toEqual({
        max_traces_per_user: 1000,
        ingestion_rate_limit_bytes: 100000,
        ingestion_burst_size_bytes: 16777216,
        metrics_generator_processors: ['local-blocks'],
      });
      expect(config.metrics_generator.storage).toEqual({ path: '/var/tempo/generator/wal', remote_write: [] });
    });
  });

  describe.concurrent('tenants (values set multitenancy)', () => {
    test('turns multitenancy on and merges the global overrides over the derived ingestion limit', async () => {
      const config = (await renderSet('multitenancy')).tempoConfig();
      expect(config.multitenancy_enabled).toBe(true);
      expect(config.overrides).toEqual({
        defaults: { ingestion: { rate_limit_bytes: 100000, burst_size_bytes: 16777216, max_traces_per_user: 20000 }, global: { max_bytes_per_trace: 5000000 } },
        per_tenant_override_config: '/overrides/overrides.yaml',
      });
    });

    test('renders the per-tenant file into its own ConfigMap, mounted as a directory so that Tempo reloads it, and a change does not roll the pod', async () => {
      const rendered = await renderSet('multitenancy');
      const file = rendered.get('ConfigMap', 'tempo-overrides').data['overrides.yaml'];
      expect(parseTempoConfig(file)).toEqual({
        overrides: {
          // Each tenant's entry is the defaults with its own settings over them: Tempo uses an entry as it stands.
          'team-a': { ingestion: { rate_limit_bytes: 2000000, burst_size_bytes: 20000000, max_traces_per_user: 20000 }, global: { max_bytes_per_trace: 5000000 } },
          'team-b.payments': {
            compaction: { block_retention: '72h' },
            ingestion: { rate_limit_bytes: 100000, burst_size_bytes: 16777216, max_traces_per_user: 20000 },
            global: { max_bytes_per_trace: 5000000 },
          },
        },
      });
      const mount = rendered.tempoContainer().volumeMounts.find((candidate: Manifest) => candidate.name === 'overrides');
      expect(mount).toEqual({ name: 'overrides', mountPath: '/overrides', readOnly: true });
      expect(rendered.workload().spec.template.spec.volumes).toContainEqual({ name: 'overrides', configMap: { name: 'tempo-overrides' } });

      const changed = await render(helm, { valuesFiles: [valuesSet('multitenancy')], values: { tempo: { overrides: { perTenant: { 'team-a': { ingestion: { rate_limit_bytes: 1 } } } } } } });
      expect(changed.get('ConfigMap', 'tempo-overrides').data).not.toEqual(rendered.get('ConfigMap', 'tempo-overrides').data);
      expect(changed.workload().spec.template.metadata.annotations).toEqual(rendered.workload().spec.template.metadata.annotations);
    });

    test('an existing ConfigMap is mounted instead, and none is rendered', async () => {
      const rendered = await renderValues({ tempo: { overrides: { existingConfigMap: 'tenant-limits' } } }, ['ConfigMap/tenant-limits']);
      expect(rendered.ofKind('ConfigMap').map((configMap) => configMap.metadata.name)).toEqual(['tempo']);
      expect(rendered.workload().spec.template.spec.volumes).toContainEqual({ name: 'overrides', configMap: { name: 'tenant-limits' } });
      expect(rendered.tempoConfig().overrides.per_tenant_override_config).toBe('/overrides/overrides.yaml');
    });
  });

  describe.concurrent('the pod (values sets sidecar-ca-bundle, memory-tuned, pod-options)', () => {
    const sidecarExternal = ['ConfigMap/corporate-ca', 'Secret/tempo-env', 'PriorityClass/observability-critical'];

    test('extra volumes, mounts and environment, host aliases, DNS options and a priority class reach the pod', async () => {
      const rendered = await renderSet('sidecar-ca-bundle', sidecarExternal);
      const spec = rendered.workload().spec.template.spec;
      expect(spec.priorityClassName).toBe('observability-critical');
      expect(spec.hostAliases).toEqual([{ ip: '10.0.0.10', hostnames: ['objects.corp.example'] }]);
      expect(spec.dnsConfig).toEqual({ options: [{ name: 'ndots', value: '2' }] });
      expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'ca-bundle', configMap: { name: 'corporate-ca' } }, { name: 'proxy-tmp', emptyDir: {} }]));
      const tempo = rendered.tempoContainer();
      expect(tempo.volumeMounts).toContainEqual({ name: 'ca-bundle', mountPath: '/etc/ssl/certs/corporate', readOnly: true });
      expect(tempo.envFrom).toEqual([{ secretRef: { name: 'tempo-env' } }]);
    });

    test('init and sidecar containers get the chart security context beneath their own, and keep the rest as given', async () => {
      const rendered = await renderSet('sidecar-ca-bundle', sidecarExternal);
      const spec = rendered.workload().spec.template.spec;
      const restricted = rendered.tempoContainer().securityContext;
      expect(spec.initContainers.map((container: Manifest) => container.name)).toEqual(['wait-for-object-store']);
      expect(spec.initContainers[0].securityContext).toEqual(restricted);
      const proxy = spec.containers.find((container: Manifest) => container.name === 'auth-proxy');
      expect(proxy.securityContext).toEqual(restricted);
      expect(proxy.args).toEqual(['--http-address=0.0.0.0:4180', '--upstream=http://127.0.0.1:3200']);
      const own = await renderValues({ extraContainers: [{ name: 'proxy', image: 'example/proxy:1', securityContext: { runAsUser: 2000 } }] });
      const merged = own.workload().spec.template.spec.containers[1].securityContext;
      expect(merged).toEqual({ ...restricted, runAsUser: 2000 });
    });

    test('extra objects go through tpl, as objects or strings', async () => {
      const rendered = await renderSet('sidecar-ca-bundle', sidecarExternal);
      const extra = rendered.get('ConfigMap', 'tempo-proxy-templates');
      expect(extra.data['sign_in.html']).toBe('<p>Tempo of tempo</p>');
      expect(extra.metadata.labels?.['app.kubernetes.io/instance']).toBe('tempo');
      const asObject = await renderValues({ extraObjects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '{{ .Release.Name }}-extra', namespace: 'observability' }, data: { a: 'b' } }] });
      expect(asObject.get('ConfigMap', 'tempo-extra').data).toEqual({ a: 'b' });
    });

    test('GOMEMLIMIT is 90 % of a 2Gi limit, GOGC comes from extraEnv, with a startup probe, a preStop hook and a longer grace period', async () => {
      const rendered = await renderSet('memory-tuned');
      const container = rendered.tempoContainer();
      expect(container.env).toEqual([
        { name: 'GOMEMLIMIT', value: '1843MiB' },
        { name: 'GOGC', value: '75' },
      ]);
      expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } });
      expect(container.startupProbe).toEqual({ httpGet: { path: '/ready', port: 'http' }, periodSeconds: 10, failureThreshold: 60 });
      expect(container.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
      expect(rendered.workload().spec.template.spec.terminationGracePeriodSeconds).toBe(120);
    });

    test('a probe set to null is removed, and a startup probe aimed where nothing listens is refused', async () => {
      const container = (await renderValues({ readinessProbe: null, livenessProbe: null })).tempoContainer();
      expect(container).not.toHaveProperty('readinessProbe');
      expect(container).not.toHaveProperty('livenessProbe');
      expect(container).not.toHaveProperty('startupProbe');
      await expect(renderValues({ startupProbe: { tcpSocket: { port: 9999 } } })).rejects.toThrow('ERROR: startupProbe.tcpSocket.port is 9999, but nothing in the pod listens there');
    });

    test('common labels and annotations reach every resource, and pods get the labels', async () => {
      const rendered = await renderSet('pod-options', ['Secret/parent-registry', 'Secret/tempo-registry']);
      for (const doc of rendered.documents) {
        expect(doc.metadata.labels?.['example.com/team'], `${doc.kind}/${doc.metadata.name}`).toBe('observability');
        expect(doc.metadata.annotations?.['example.com/owner'], `${doc.kind}/${doc.metadata.name}`).toBeDefined();
      }
      // A resource's own annotation wins over the common one.
      expect(rendered.get('Service', 'tempo').metadata.annotations).toEqual({ 'example.com/owner': 'tracing-team' });
      expect(rendered.workload().spec.template.metadata.labels['example.com/team']).toBe('observability');
      expect(rendered.workload().spec.template.metadata.annotations).not.toHaveProperty(['example.com/owner']);
    });

    test('images: global.imageRegistry wins over image.registry; pull secrets are global ones first, then the chart own, each once', async () => {
      const rendered = await renderSet('pod-options', ['Secret/parent-registry', 'Secret/tempo-registry']);
      expect(rendered.tempoContainer().image).toBe('registry.internal.example:5000/grafana/tempo:2.5.0');
      expect(rendered.workload().spec.template.spec.imagePullSecrets).toEqual([{ name: 'parent-registry' }, { name: 'tempo-registry' }]);
      const own = await renderValues({ image: { registry: 'mirror.example.com' } });
      expect(own.tempoContainer().image).toBe('mirror.example.com/grafana/tempo:2.5.0');
    });

    test('the configuration can live in a Secret, which may then hold a credential; the pod mounts it from there', async () => {
      const rendered = await renderSet('pod-options', ['Secret/parent-registry', 'Secret/tempo-registry']);
      expect(rendered.ofKind('ConfigMap')).toEqual([]);
      expect(rendered.get('Secret', 'tempo').type).toBe('Opaque');
      expect(rendered.workload().spec.template.spec.volumes).toContainEqual({ name: 'config', secret: { secretName: 'tempo' } });
      expect(rendered.tempoConfig().cache.caches).toEqual([{ roles: ['bloom', 'parquet-footer'], redis: { endpoint: 'redis.cache.svc:6379', password: 'example-redis-password' } }]);
    });

    test('revisionHistoryLimit and strategy reach the Deployment; a StatefulSet, where the field is immutable, keeps the default', async () => {
      const deployment = (await renderValues({ revisionHistoryLimit: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } })).workload();
      expect(deployment.spec.revisionHistoryLimit).toBe(3);
      expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
      const statefulSet = (await renderValues({ revisionHistoryLimit: 4, storage: { backend: 's3', s3: { bucket: 'traces' } } })).workload();
      expect(statefulSet.kind).toBe('StatefulSet');
      expect(statefulSet.spec).not.toHaveProperty('revisionHistoryLimit');
    });
  });
});
