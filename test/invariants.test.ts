import YAML from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import { helmReleases, render, type Manifest } from './helpers/helm.ts';
import { checkInvariants, invariantNames } from './helpers/invariants.ts';
import { verifyRendering } from './helpers/verify.ts';

/**
 * Each invariant bites: a sound rendering of the chart, broken in one place, breaks exactly the rule
 * that guards that place. The chart's own renderings keep them all (values-sets.test.ts).
 */
let sound: Manifest[];

beforeAll(async () => {
  sound = (await render(helmReleases[0]!)).documents;
});

/** The default rendering, changed by `edit`, with the Deployment's pod spec at hand. */
function broken(edit: (pod: Record<string, any>, documents: Manifest[]) => void): Manifest[] {
  const documents = structuredClone(sound);
  const deployment = documents.find((doc) => doc.kind === 'Deployment')!;
  edit(deployment.spec.template.spec, documents);
  return documents;
}

const tempoContainer = (pod: Record<string, any>) => pod.containers[0];
const editTempoConfig = (documents: Manifest[], edit: (config: Record<string, any>) => void) => {
  const configMap = documents.find((doc) => doc.kind === 'ConfigMap')!;
  const config = YAML.parse(configMap.data['tempo.yaml']);
  edit(config);
  configMap.data['tempo.yaml'] = YAML.stringify(config);
};

test('the default rendering keeps every invariant', () => {
  expect(checkInvariants(sound)).toEqual([]);
});

const cases: Array<[string, (pod: Record<string, any>, documents: Manifest[]) => void, string]> = [
  ['a host network', (pod) => (pod.hostNetwork = true), '[hostNamespaces] Deployment/tempo: hostNetwork is true'],
  ['a privileged container', (pod) => (tempoContainer(pod).securityContext.privileged = true), '[privileged] Deployment/tempo container tempo: privileged is true'],
  ['capabilities kept', (pod) => (tempoContainer(pod).securityContext.capabilities = { drop: ['NET_RAW'] }), '[capabilities] Deployment/tempo container tempo: capabilities.drop does not include ALL'],
  ['a capability added', (pod) => (tempoContainer(pod).securityContext.capabilities.add = ['SYS_ADMIN']), '[capabilities] Deployment/tempo container tempo: adds capability SYS_ADMIN'],
  ['a hostPath volume', (pod) => (pod.volumes[1] = { name: 'storage', hostPath: { path: '/var/tempo' } }), '[hostPathVolumes] Deployment/tempo: volume storage is a hostPath'],
  ['a forbidden volume type', (pod) => (pod.volumes[1] = { name: 'storage', nfs: { server: 'nfs', path: '/' } }), '[volumeTypes] Deployment/tempo: volume storage has type nfs'],
  ['a host port', (pod) => (tempoContainer(pod).ports[0].hostPort = 3200), '[hostPorts] Deployment/tempo container tempo: port http uses hostPort 3200'],
  ['an unmasked /proc', (pod) => (tempoContainer(pod).securityContext.procMount = 'Unmasked'), '[procMount] Deployment/tempo container tempo: procMount is Unmasked'],
  ['an unsafe sysctl', (pod) => (pod.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]), '[sysctls] Deployment/tempo: sysctl kernel.msgmax is not in the safe set'],
  ['privilege escalation', (pod) => delete tempoContainer(pod).securityContext.allowPrivilegeEscalation, '[allowPrivilegeEscalation] Deployment/tempo container tempo: allowPrivilegeEscalation is not false'],
  ['root allowed', (pod) => delete pod.securityContext.runAsNonRoot, '[runAsNonRoot] Deployment/tempo container tempo: runAsNonRoot is not true'],
  ['UID 0', (pod) => (tempoContainer(pod).securityContext.runAsUser = 0), '[runAsUser] Deployment/tempo container tempo: runs as UID 0'],
  ['no seccomp profile', (pod) => delete pod.securityContext.seccompProfile, '[seccompProfile] Deployment/tempo container tempo: seccompProfile is unset'],
  ['a writable root filesystem', (pod) => (tempoContainer(pod).securityContext.readOnlyRootFilesystem = false), '[readOnlyRootFilesystem] Deployment/tempo container tempo: readOnlyRootFilesystem is not true'],
  ['no fsGroup', (pod) => delete pod.securityContext.fsGroup, '[fsGroup] Deployment/tempo: containers write to volumes but the pod sets no securityContext.fsGroup'],
  [
    'a Service selecting nothing',
    (_pod, documents) => (documents.find((doc) => doc.kind === 'Service')!.spec.selector['app.kubernetes.io/name'] = 'tempo-query'),
    '[serviceSelectsPods] Service/tempo: selects no pod template',
  ],
  [
    'a selector with a version label',
    (pod, documents) => {
      const deployment = documents.find((doc) => doc.kind === 'Deployment')!;
      deployment.spec.selector.matchLabels['app.kubernetes.io/version'] = '2.5.0';
      void pod;
    },
    '[selectorLabels] Deployment/tempo: selects by',
  ],
  ['a ConfigMap that is not rendered', (pod) => (pod.volumes[0].configMap.name = 'tempo-config'), '[referencesResolve] Deployment/tempo: references ConfigMap/tempo-config, which is neither rendered nor declared external'],
  ['a missing Secret in the environment', (pod) => (tempoContainer(pod).env = [{ name: 'S3_KEY', valueFrom: { secretKeyRef: { name: 's3', key: 'key' } } }]), '[referencesResolve] Deployment/tempo: references Secret/s3, which is neither rendered nor declared external'],
  ['a probe on an undeclared port', (pod) => (tempoContainer(pod).readinessProbe.httpGet.port = 'api'), '[namedPorts] Deployment/tempo container tempo: readinessProbe uses port api, which the container does not declare'],
  [
    'a Service port targeting an undeclared port',
    (_pod, documents) => (documents.find((doc) => doc.kind === 'Service')!.spec.ports[0].targetPort = 'web'),
    '[namedPorts] Service/tempo: port http targets web, which no container of Deployment/tempo declares',
  ],
  ['two container ports on one number', (pod) => (tempoContainer(pod).ports[1].containerPort = 3200), '[uniquePorts] Deployment/tempo: container port 3200/TCP appears twice'],
  [
    'two Tempo listeners on one port',
    (_pod, documents) => editTempoConfig(documents, (config) => (config.server.grpc_listen_port = 3200)),
    '[uniquePorts] Deployment/tempo container tempo: Tempo binds 3200/TCP twice',
  ],
  [
    'a receiver without a container port',
    (_pod, documents) => editTempoConfig(documents, (config) => (config.distributor.receivers.zipkin = null)),
    '[tempoListenersExposed] Deployment/tempo container tempo: Tempo listens on 9411/TCP (distributor.receivers.zipkin) without a container port',
  ],
  [
    'a receiver the Service does not reach',
    (_pod, documents) => (documents.find((doc) => doc.kind === 'Service')!.spec.ports = documents.find((doc) => doc.kind === 'Service')!.spec.ports.slice(0, 2)),
    '[tempoListenersExposed] Deployment/tempo container tempo: no Service port reaches distributor.receivers.otlp.protocols.http (4318/TCP)',
  ],
  [
    'the WAL off every volume',
    (_pod, documents) => editTempoConfig(documents, (config) => (config.storage.trace.wal.path = '/tmp/wal')),
    '[tempoWritesToVolumes] Deployment/tempo container tempo: storage.trace.wal.path (/tmp/wal) is not on a writable volume',
  ],
  [
    'a writable mount Tempo does not use',
    (pod) => {
      pod.volumes.push({ name: 'scratch', emptyDir: {} });
      tempoContainer(pod).volumeMounts.push({ name: 'scratch', mountPath: '/scratch' });
    },
    '[tempoWritesToVolumes] Deployment/tempo container tempo: /scratch is mounted writable but Tempo writes nothing there',
  ],
  [
    'an object-store key written into the ConfigMap',
    (_pod, documents) => editTempoConfig(documents, (config) => (config.storage.trace.s3 = { bucket: 'traces', secret_key: 'hunter22' })),
    '[noSecretsInConfigMaps] ConfigMap/tempo tempo.yaml: storage.trace.s3.secret_key holds a literal "hun…"; pass it through the environment',
  ],
  [
    'a NetworkPolicy that leaves out a receiver',
    (_pod, documents) =>
      documents.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'tempo', namespace: 'observability' },
        spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'tempo' } }, ingress: [{ ports: [{ port: 3200, protocol: 'TCP' }, { port: 4317, protocol: 'TCP' }] }] },
      }),
    '[networkPolicyAdmitsListeners] NetworkPolicy/tempo: admits nothing on 4318/TCP (distributor.receivers.otlp.protocols.http) of Deployment/tempo',
  ],
];

describe.each(cases)('%s', (_name, edit, expected) => {
  test('breaks the invariant that guards it', () => {
    const problems = checkInvariants(broken(edit));
    expect(problems.some((problem) => problem.startsWith(expected)), problems.join('\n')).toBe(true);
  });
});

test('every invariant has a case that breaks it', () => {
  const covered = new Set(cases.map(([, , expected]) => expected.slice(1, expected.indexOf(']'))));
  expect([...invariantNames].filter((name) => !covered.has(name))).toEqual([]);
});

describe('a StatefulSet', () => {
  let scaledOut: Manifest[];
  beforeAll(async () => {
    scaledOut = (await render(helmReleases[0]!, { values: { storage: { backend: 's3', s3: { bucket: 'traces' } }, replicas: 3, persistence: { enabled: true } } })).documents;
  });

  test('writes its WAL to the claim its volumeClaimTemplates give each pod', () => {
    expect(checkInvariants(scaledOut)).toEqual([]);
  });

  test('without that claim template, the WAL is on no writable volume', () => {
    const documents = structuredClone(scaledOut);
    documents.find((doc) => doc.kind === 'StatefulSet')!.spec.volumeClaimTemplates[0].metadata.name = 'other';
    expect(checkInvariants(documents)).toContain('[tempoWritesToVolumes] StatefulSet/tempo container tempo: storage.trace.wal.path (/var/tempo/wal) is not on a writable volume');
  });
});

test('an environment reference is the way to pass a credential', () => {
  const documents = broken((_pod, docs) => editTempoConfig(docs, (config) => (config.storage.trace.s3 = { secret_key: '${S3_SECRET_KEY}' })));
  expect(checkInvariants(documents)).toEqual([]);
});

describe('allowances and external objects', () => {
  const withoutFsGroup = () => broken((pod) => delete pod.securityContext.fsGroup);

  test('a rendering may break a rule it names, and only that rule', () => {
    expect(verifyRendering(withoutFsGroup(), { kubeVersion: '1.35', allow: ['fsGroup'] })).toEqual([]);
    expect(verifyRendering(withoutFsGroup(), { kubeVersion: '1.35', allow: ['runAsNonRoot'] })).toEqual([
      '[fsGroup] Deployment/tempo: containers write to volumes but the pod sets no securityContext.fsGroup',
      '[runAsNonRoot] is allowed to break, but the rendering keeps it: remove the allowance',
    ]);
  });

  test('an unknown rule name is refused', () => {
    expect(() => verifyRendering(sound, { kubeVersion: '1.35', allow: ['readOnlyRoot'] })).toThrow(/unknown invariant names: readOnlyRoot/);
  });

  test('an object declared external resolves a reference', () => {
    const documents = broken((pod) => (pod.imagePullSecrets = [{ name: 'regcred' }]));
    expect(checkInvariants(documents, ['Secret/regcred'])).toEqual([]);
  });
});
