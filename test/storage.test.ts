import { describe, expect, test } from 'vitest';
import type { ValuesOverride } from '../build/generated/values.ts';
import { helmReleases, render, renderNotes, type Manifest } from './helpers/helm.ts';

const s3 = { backend: 's3', s3: { bucket: 'traces' } } as const;
const scaledOut = (replicas: number, values: ValuesOverride = {}): ValuesOverride => ({ replicas, storage: s3, persistence: { enabled: true }, ...values });

describe.each(helmReleases)('storage and scaling ($label)', (helm) => {
  const renderValues = (values: ValuesOverride, external?: string[]) => render(helm, { values, external });
  const env = (container: Manifest, name: string) => (container.env ?? []).find((variable: Manifest) => variable.name === name);

  describe.concurrent('persistence', () => {
    test('storageClassName "-" asks for no class (""), for a volume bound by hand, on a claim and a claim template alike', async () => {
      const single = await renderValues({ persistence: { enabled: true, storageClassName: '-' } });
      expect(single.get('PersistentVolumeClaim', 'tempo').spec.storageClassName).toBe('');
      const scaled = await renderValues(scaledOut(2, { persistence: { enabled: true, storageClassName: '-' } }));
      expect(scaled.workload().spec.volumeClaimTemplates[0].spec.storageClassName).toBe('');
    });

    test('persistence.enabled adds a PVC mounted at tempo.dataDir, kept on uninstall, and the Deployment recreates its pod', async () => {
      const rendered = await renderValues({
        persistence: { enabled: true, size: '20Gi', storageClassName: 'fast', accessModes: ['ReadWriteOncePod'], annotations: { 'example.com/a': 'b' }, labels: { tier: 'tracing' } },
      });
      const claim = rendered.get('PersistentVolumeClaim', 'tempo');
      expect(claim.spec).toEqual({ accessModes: ['ReadWriteOncePod'], storageClassName: 'fast', resources: { requests: { storage: '20Gi' } } });
      expect(claim.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep', 'example.com/a': 'b' });
      expect(claim.metadata.labels?.tier).toBe('tracing');
      const workload = rendered.workload();
      expect(workload.spec.strategy).toEqual({ type: 'Recreate' });
      expect(workload.spec.template.spec.volumes).toContainEqual({ name: 'storage', persistentVolumeClaim: { claimName: 'tempo' } });
      expect(rendered.tempoContainer().volumeMounts).toContainEqual({ name: 'storage', mountPath: '/var/tempo' });
    });

    test('keepOnUninstall false lets helm uninstall delete the claim', async () => {
      const rendered = await renderValues({ persistence: { enabled: true, keepOnUninstall: false } });
      expect(rendered.get('PersistentVolumeClaim', 'tempo').metadata.annotations).toBeUndefined();
    });

    test('an existing claim is used as it is, and none is created', async () => {
      const rendered = await renderValues({ persistence: { enabled: true, existingClaim: 'tempo-data' } }, ['PersistentVolumeClaim/tempo-data']);
      expect(rendered.ofKind('PersistentVolumeClaim')).toEqual([]);
      expect(rendered.workload().spec.template.spec.volumes).toContainEqual({ name: 'storage', persistentVolumeClaim: { claimName: 'tempo-data' } });
    });

    test('without persistence an emptyDir size limit is also requested as ephemeral storage, unless resources request it', async () => {
      const limited = await renderValues({ persistence: { emptyDirSizeLimit: '5Gi' } });
      expect(limited.workload().spec.template.spec.volumes).toContainEqual({ name: 'storage', emptyDir: { sizeLimit: '5Gi' } });
      expect(limited.tempoContainer().resources.requests).toEqual({ cpu: '100m', memory: '128Mi', 'ephemeral-storage': '5Gi' });
      const own = await renderValues({ persistence: { emptyDirSizeLimit: '5Gi' }, resources: { requests: { 'ephemeral-storage': '1Gi' } } });
      expect(own.tempoContainer().resources.requests['ephemeral-storage']).toBe('1Gi');
    });
  });

  describe.concurrent('object storage and its credentials', () => {
    test('S3 keys from an existing Secret reach Tempo through the environment, never the ConfigMap', async () => {
      const rendered = await renderValues({ storage: { backend: 's3', s3: { bucket: 'traces', region: 'eu-west-1', existingSecret: 'tempo-s3' } } }, ['Secret/tempo-s3']);
      expect(rendered.tempoConfig().storage.trace).toMatchObject({
        backend: 's3',
        s3: { bucket: 'traces', endpoint: 's3.amazonaws.com', region: 'eu-west-1', access_key: '${S3_ACCESS_KEY}', secret_key: '${S3_SECRET_KEY}' },
        wal: { path: '/var/tempo/wal' },
      });
      const container = rendered.tempoContainer();
      expect(container.args).toEqual(['-config.file=/conf/tempo.yaml', '-config.expand-env=true']);
      expect(env(container, 'S3_ACCESS_KEY').valueFrom).toEqual({ secretKeyRef: { name: 'tempo-s3', key: 'access-key' } });
      expect(env(container, 'S3_SECRET_KEY').valueFrom).toEqual({ secretKeyRef: { name: 'tempo-s3', key: 'secret-key' } });
      expect(rendered.ofKind('Secret')).toEqual([]);
    });

    test('S3 keys in values go into a Secret of the chart, and a changed key rolls the pods', async () => {
      const rendered = await renderValues({ storage: { backend: 's3', s3: { bucket: 'traces', accessKey: 'AKIA1', secretKey: 'hunter2' } } });
      expect(rendered.get('Secret', 'tempo-storage').data).toEqual({ 'access-key': 'QUtJQTE=', 'secret-key': 'aHVudGVyMg==' });
      expect(rendered.get('ConfigMap', 'tempo').data['tempo.yaml']).not.toContain('hunter2');
      const rotated = await renderValues({ storage: { backend: 's3', s3: { bucket: 'traces', accessKey: 'AKIA1', secretKey: 'hunter3' } } });
      const checksum = (pod: Manifest) => pod.spec.template.metadata.annotations['checksum/storage-credentials'];
      expect(checksum(rotated.workload())).not.toBe(checksum(rendered.workload()));
    });

    test('S3 through IRSA carries no credentials: the ServiceAccount holds the role', async () => {
      const rendered = await renderValues({ storage: s3, serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/tempo' } } });
      expect(rendered.tempoConfig().storage.trace.s3).toEqual({ bucket: 'traces', endpoint: 's3.amazonaws.com' });
      expect(rendered.tempoContainer().args).toEqual(['-config.file=/conf/tempo.yaml']);
      expect(rendered.get('ServiceAccount', 'tempo').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/tempo' });
    });

    test('a GCS key is mounted read-only from a Secret and named by GOOGLE_APPLICATION_CREDENTIALS', async () => {
      const rendered = await renderValues({ storage: { backend: 'gcs', gcs: { bucketName: 'traces', serviceAccountKey: '{"type":"service_account"}' } } });
      expect(rendered.tempoConfig().storage.trace.gcs).toEqual({ bucket_name: 'traces' });
      const container = rendered.tempoContainer();
      expect(env(container, 'GOOGLE_APPLICATION_CREDENTIALS').value).toBe('/var/secrets/gcs/key.json');
      expect(container.volumeMounts).toContainEqual({ name: 'gcs-credentials', mountPath: '/var/secrets/gcs', readOnly: true });
      expect(rendered.workload().spec.template.spec.volumes).toContainEqual({
        name: 'gcs-credentials',
        secret: { secretName: 'tempo-storage', items: [{ key: 'key.json', path: 'key.json' }] },
      });
    });

    test('an Azure account key comes from the environment; Azure Workload Identity needs none', async () => {
      const keyed = await renderValues({ storage: { backend: 'azure', azure: { containerName: 'traces', storageAccountName: 'acct', storageAccountKey: 'a2V5' } } });
      expect(keyed.tempoConfig().storage.trace.azure).toEqual({
        container_name: 'traces',
        storage_account_name: 'acct',
        endpoint_suffix: 'blob.core.windows.net',
        storage_account_key: '${AZURE_STORAGE_KEY}',
      });
      expect(env(keyed.tempoContainer(), 'AZURE_STORAGE_KEY').valueFrom).toEqual({ secretKeyRef: { name: 'tempo-storage', key: 'account-key' } });
      const federated = await renderValues({
        storage: { backend: 'azure', azure: { containerName: 'traces', storageAccountName: 'acct', useFederatedToken: true } },
      });
      expect(federated.tempoConfig().storage.trace.azure.use_federated_token).toBe(true);
      // The identity webhook injects the federated token only into pods with this label: the chart sets it.
      expect(federated.workload().spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
      expect(keyed.workload().spec.template.metadata.labels['azure.workload.identity/use']).toBeUndefined();
      expect(env(federated.tempoContainer(), 'AZURE_STORAGE_KEY')).toBeUndefined();
    });
  });

  describe.concurrent('scaling out', () => {
    test('an object store runs Tempo as a StatefulSet of scalable single binaries, with a claim per pod', async () => {
      const rendered = await renderValues(scaledOut(3));
      expect(rendered.ofKind('Deployment')).toEqual([]);
      const set = rendered.workload();
      expect(set.kind).toBe('StatefulSet');
      expect(set.spec).toMatchObject({ replicas: 3, serviceName: 'tempo-headless', podManagementPolicy: 'Parallel' });
      expect(set.spec.volumeClaimTemplates).toEqual([
        { metadata: { name: 'storage' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } },
      ]);
      expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      expect(rendered.tempoConfig().target).toBe('scalable-single-binary');
    });

    test('the pods gossip through a headless Service that publishes them before they are ready, under a cluster label', async () => {
      const rendered = await renderValues(scaledOut(3));
      const headless = rendered.get('Service', 'tempo-headless');
      expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'gossip', port: 7946, targetPort: 'gossip', protocol: 'TCP' }] });
      expect(rendered.tempoConfig().memberlist).toEqual({
        bind_port: 7946,
        advertise_port: 7946,
        cluster_label: 'tempo.observability',
        join_members: ['dns+tempo-headless.observability.svc:7946'],
        abort_if_cluster_join_fails: false,
      });
    });

    test('the ingester ring keeps 3 replicas of each trace from 3 pods on, 1 below, over memberlist', async () => {
      const ring = async (replicas: number) => (await renderValues(scaledOut(replicas))).tempoConfig().ingester.lifecycler.ring;
      expect(await ring(3)).toEqual({ kvstore: { store: 'memberlist' }, replication_factor: 3 });
      expect(await ring(2)).toEqual({ kvstore: { store: 'memberlist' }, replication_factor: 1 });
    });

    test('each pod answers queries itself: its querier works for its own query-frontend', async () => {
      const rendered = await renderValues(scaledOut(3, { tempo: { server: { grpcListenPort: 9096 } } }));
      expect(rendered.tempoConfig().querier).toEqual({ frontend_worker: { frontend_address: '127.0.0.1:9096' } });
    });

    test('more than one pod gets a PodDisruptionBudget and a spread over nodes and zones; one pod gets neither', async () => {
      const rendered = await renderValues(scaledOut(3));
      expect(rendered.get('PodDisruptionBudget', 'tempo').spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/instance': 'tempo' } },
      });
      const spread = rendered.workload().spec.template.spec.topologySpreadConstraints;
      expect(spread.map((constraint: Manifest) => [constraint.topologyKey, constraint.whenUnsatisfiable])).toEqual([
        ['kubernetes.io/hostname', 'ScheduleAnyway'],
        ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
      ]);
      const single = await renderValues(scaledOut(1));
      expect(single.ofKind('PodDisruptionBudget')).toEqual([]);
      expect(single.workload().spec.template.spec.topologySpreadConstraints).toBeUndefined();
    });

    test('topologySpreadConstraints of ones own replace the default spread', async () => {
      const own = [{ maxSkew: 2, topologyKey: 'example.com/rack', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'tempo' } } }];
      const rendered = await renderValues(scaledOut(3, { topologySpreadConstraints: own }));
      expect(rendered.workload().spec.template.spec.topologySpreadConstraints).toEqual(own);
    });

    test('the workload kind follows storage.backend, whatever the replica count', async () => {
      expect((await renderValues({ storage: s3 })).workload().kind).toBe('StatefulSet');
      expect((await renderValues({ replicas: 1 })).workload().kind).toBe('Deployment');
    });
  });
});

describe.concurrent('NOTES.txt describes the storage it rendered (helm4)', () => {
  test('the emptyDir of the design, and its retention', async () => {
    expect(await renderNotes()).toContain('Traces live in an emptyDir and are kept for 1h: they are lost when the pod is replaced.');
  });

  test('a claim', async () => {
    expect(await renderNotes({ persistence: { enabled: true }, tempo: { retention: '168h' } })).toContain(
      'Traces live on the PersistentVolumeClaim tempo and are kept for 168h.',
    );
  });

  test('an object store and the pods that share it', async () => {
    const notes = await renderNotes(scaledOut(3));
    expect(notes).toContain('Traces are kept for 1h in s3 bucket traces; each pod keeps its write-ahead log on a claim of its own.');
    expect(notes).toContain('3 pods form one Tempo (scalable single binary), gossiping through service/tempo-headless.');
    // The measured capacity and the (local) ingestion limit are each pod's.
    expect(notes).toMatch(/Measured capacity on Tempo 2\.5: about [\d,]+ spans\/s accepted; .*, for each of the 3 pods\./);
    expect(notes).toContain('past 100000 bytes/s of spans per tenant on each pod (bursts up to 16777216 bytes)');
  });

  test('a single pod on an object store, which gossips with no one', async () => {
    const notes = await renderNotes(scaledOut(1));
    expect(notes).toContain('One pod keeps its rings in memory; raise replicas to scale out over memberlist.');
    expect(notes).not.toContain('gossiping');
  });
});
