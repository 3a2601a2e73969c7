import { describe, expect, test } from 'vitest';
import { KubeValidator, kubeVersions } from './helpers/kubernetes.ts';

/** The offline Kubernetes validator must refuse what the API server refuses, or it proves nothing. */

function deployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'tempo', namespace: 'observability', labels: { 'app.kubernetes.io/name': 'tempo' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'tempo' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'tempo' } },
        spec: {
          containers: [
            {
              name: 'tempo',
              image: 'grafana/tempo:2.5.0',
              ports: [{ name: 'http', containerPort: 3200, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
              livenessProbe: { httpGet: { path: '/ready', port: 3200 } },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 2, memory: '1.5Gi' } },
              securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

function service(): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'tempo' },
    spec: { selector: { 'app.kubernetes.io/name': 'tempo' }, ports: [{ name: 'http', port: 3200, targetPort: 'http' }] },
  };
}

describe.each(kubeVersions)('Kubernetes %s', (version) => {
  const validator = KubeValidator.for(version);

  test('accepts a sound Deployment and Service, with int-or-string ports and number or string quantities', () => {
    expect(validator.validate(deployment())).toEqual([]);
    expect(validator.validate(service())).toEqual([]);
  });

  test('refuses an unknown field deep in a pod spec, naming its path', () => {
    const doc = deployment();
    doc.spec.template.spec.containers[0].securityContext.runAsNonroot = true;
    expect(validator.validate(doc)).toEqual([
      'Deployment/tempo: /spec/template/spec/containers/0/securityContext: unknown field "runAsNonroot"',
    ]);
  });

  test('refuses an unknown field in metadata and at the top level', () => {
    const doc = deployment();
    doc.metadata.label = { a: 'b' };
    doc.status2 = {};
    expect(validator.validate(doc).sort()).toEqual([
      'Deployment/tempo: /: unknown field "status2"',
      'Deployment/tempo: /metadata: unknown field "label"',
    ]);
  });

  test('refuses a wrong type', () => {
    const doc = deployment();
    doc.spec.replicas = '1';
    expect(validator.validate(doc)).toEqual(['Deployment/tempo: /spec/replicas: must be integer']);
  });

  test('refuses a missing required field', () => {
    const doc = deployment();
    delete doc.spec.template.spec.containers[0].name;
    expect(validator.validate(doc)).toEqual(['Deployment/tempo: /spec/template/spec/containers/0: missing required field "name"']);
    const svc = service();
    delete svc.spec.ports[0].port;
    expect(validator.validate(svc)).toEqual(['Service/tempo: /spec/ports/0: missing required field "port"']);
  });

  test('refuses a malformed quantity', () => {
    const doc = deployment();
    doc.spec.template.spec.containers[0].resources.limits.memory = '1 GB';
    expect(validator.validate(doc)).toEqual([expect.stringContaining('Deployment/tempo: /spec/template/spec/containers/0/resources/limits/memory: must match pattern')]);
  });

  test('refuses an unknown kind and a kind under the wrong group', () => {
    expect(validator.validate({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } })).toEqual([
      `Deploymnet/x: Kubernetes ${version} does not serve kind Deploymnet in apps/v1`,
    ]);
    expect(validator.validate({ apiVersion: 'v1', kind: 'Deployment', metadata: { name: 'x' } })).toEqual([
      `Deployment/x: Kubernetes ${version} does not serve kind Deployment in v1`,
    ]);
  });

  test('refuses names, labels and ports the API server rejects', () => {
    const svc = service();
    svc.metadata.name = 'Tempo_Query';
    svc.metadata.labels = { 'example.com/team': 'a value with spaces' };
    svc.metadata.annotations = { 'load balancer/scheme': 'internal' };
    svc.spec.ports[0].name = 'otlp-grpc-receiver';
    svc.spec.ports[0].port = 70000;
    expect(validator.validate(svc).sort()).toEqual([
      'Service/Tempo_Query: metadata.annotations key "load balancer/scheme" is not a valid annotation name',
      'Service/Tempo_Query: metadata.labels["example.com/team"] value "a value with spaces" is not a valid label value',
      'Service/Tempo_Query: metadata.name "Tempo_Query" is not a valid Service name',
      'Service/Tempo_Query: spec.ports[0] name "otlp-grpc-receiver" is not a valid port name (at most 15 lowercase letters, digits and dashes)',
      'Service/Tempo_Query: spec.ports[0] port 70000 is out of range',
    ]);
  });

  test('validates custom resources against their CRD, strictly, with metadata as ObjectMeta', () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'tempo' },
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'tempo' } }, endpoints: [{ port: 'http', interval: '30s' }] },
    };
    expect(validator.validate(monitor)).toEqual([]);
    const typo = structuredClone(monitor) as Record<string, any>;
    typo.spec.endpoints[0].intervall = '30s';
    typo.metadata.annotation = {};
    expect(validator.validate(typo).sort()).toEqual([
      'ServiceMonitor/tempo: /metadata: unknown field "annotation"',
      'ServiceMonitor/tempo: /spec/endpoints/0: unknown field "intervall"',
    ]);
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'tempo' },
      spec: { parentRefs: [{ name: 'gateway' }], rules: [{ backendRefs: [{ name: 'tempo', port: 3200 }] }] },
    };
    expect(validator.validate(route)).toEqual([]);
    expect(validator.validate({ ...route, spec: { ...route.spec, rules: [{ backendRefs: [{ name: 'tempo', port: 'http' }] }] } })).toEqual([
      'HTTPRoute/tempo: /spec/rules/0/backendRefs/0/port: must be integer',
    ]);
  });
});

test('a kind removed from the API fails only on the versions that no longer serve it', () => {
  // flowcontrol.apiserver.k8s.io/v1beta2 was served until 1.28 and removed in 1.29.
  const schema = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', kind: 'FlowSchema', metadata: { name: 'tempo' } };
  expect(KubeValidator.for('1.28').serves(schema.apiVersion, schema.kind)).toBe(true);
  expect(KubeValidator.for('1.32').validate(schema)).toEqual([
    'FlowSchema/tempo: Kubernetes 1.32 does not serve kind FlowSchema in flowcontrol.apiserver.k8s.io/v1beta2',
  ]);
});
