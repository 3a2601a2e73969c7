import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { paths } from '../build/paths.ts';
import { helmReleases, render, type Manifest } from './helpers/helm.ts';

const valuesSet = (name: string) => path.join(paths.valuesSets, `${name}.yaml`);
const provisioningSchema = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(path.join(paths.root, 'test', 'fixtures', 'grafana-datasource-provisioning.schema.json'), 'utf8')),
);

describe.each(helmReleases)('Ingress, HTTPRoute, NetworkPolicy and Grafana ($label)', (helm) => {
  test('the Ingress sends /api and /v1/traces to the gateway, over TLS', async () => {
    const ingress = (await render(helm, { valuesFiles: [valuesSet('gateway-ingress-tls')], external: ['Secret/tempo-example-com-tls'] })).get('Ingress', 'tempo');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ secretName: 'tempo-example-com-tls', hosts: ['tempo.example.com'] }]);
    expect(ingress.spec.rules[0].http.paths).toEqual([
      { path: '/api', pathType: 'Prefix', backend: { service: { name: 'tempo-gateway', port: { number: 8080 } } } },
      { path: '/v1/traces', pathType: 'Exact', backend: { service: { name: 'tempo-gateway', port: { number: 8080 } } } },
    ]);
  });

  test('without the gateway the HTTPRoute goes to Tempo: the API on its Service, OTLP on the ingest one', async () => {
    const route = (await render(helm, { valuesFiles: [valuesSet('http-route')], values: { service: { ingest: { enabled: true } } } })).get('HTTPRoute', 'tempo');
    expect(route.spec.parentRefs).toEqual([{ name: 'internal', namespace: 'gateway-system', sectionName: 'https' }]);
    expect(route.spec.rules).toEqual([
      { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'tempo', port: 3200 }] },
      { matches: [{ path: { type: 'Exact', value: '/v1/traces' } }], backendRefs: [{ name: 'tempo-ingest', port: 4318 }] },
    ]);
  });

  test('a parent reference takes every ParentReference field of the HTTPRoute CRD: port, group and kind too', async () => {
    const parentRefs = [
      { name: 'internal', namespace: 'gateway-system', port: 443 },
      { name: 'tempo-mesh', group: '', kind: 'Service', port: 3200 },
    ];
    // render validates the HTTPRoute against the CRD as well.
    const route = (await render(helm, { values: { httpRoute: { enabled: true, parentRefs } } })).get('HTTPRoute', 'tempo');
    expect(route.spec.parentRefs).toEqual(parentRefs);
  });

  test('with the gateway, only the gateway reaches the query API; Prometheus scrapes; egress is DNS, the pods and the object store', async () => {
    const rendered = await render(helm, { valuesFiles: [valuesSet('network-policy-gateway')], external: ['Secret/tempo-users', 'Secret/tempo-test-user'] });
    const policy = rendered.get('NetworkPolicy', 'tempo').spec;
    const rule = (port: number) => policy.ingress.filter((entry: Manifest) => entry.ports.some((candidate: Manifest) => candidate.port === port));
    const gatewayPeer = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'tempo-gateway', 'app.kubernetes.io/instance': 'tempo' } } };
    expect(rule(3200).map((entry: Manifest) => entry.from)).toEqual([[gatewayPeer], [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]]);
    expect(rule(4317)[0].from).toEqual([{ namespaceSelector: { matchLabels: { tracing: 'enabled' } } }, gatewayPeer]);
    expect(rule(7946)[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/instance': 'tempo' } } }]);
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.egress.map((entry: Manifest) => entry.ports.map((port: Manifest) => port.port))).toEqual([[53, 53], [9095, 7946], [443]]);
    const gateway = rendered.get('NetworkPolicy', 'tempo-gateway').spec;
    expect(gateway.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }, { port: 8090, protocol: 'TCP' }] }]);
  });

  test('without sources, each port group admits the release namespace only', async () => {
    const policy = (await render(helm, { values: { networkPolicy: { enabled: true } } })).get('NetworkPolicy', 'tempo').spec;
    for (const entry of policy.ingress) expect(entry.from).toEqual([{ podSelector: {} }]);
    expect(policy.policyTypes).toEqual(['Ingress']);
  });

  test('the Grafana data source matches Grafana provisioning format, and Tempo streams for it', async () => {
    const rendered = await render(helm, { valuesFiles: [valuesSet('grafana-datasource')] });
    const configMap = rendered.get('ConfigMap', 'tempo-grafana-datasource');
    expect(configMap.metadata.labels?.grafana_datasource).toBe('1');
    const file = YAML.parse(configMap.data['tempo-datasource.yaml']);
    expect(provisioningSchema(file), JSON.stringify(provisioningSchema.errors)).toBe(true);
    expect(file.datasources[0]).toMatchObject({ url: 'http://tempo.observability.svc:3200', jsonData: { streamingEnabled: { search: true }, serviceMap: { datasourceUid: 'prometheus' } } });
    expect(rendered.tempoConfig().stream_over_http_enabled).toBe(true);
  });

  test('through the gateway, Grafana signs in with a password it reads from its environment, never from the ConfigMap', async () => {
    const rendered = await render(helm, {
      valuesFiles: [valuesSet('gateway-ingress-tls')],
      values: { grafana: { datasource: { enabled: true, basicAuth: { username: 'grafana' } } } },
      external: ['Secret/tempo-example-com-tls'],
    });
    const file = YAML.parse(rendered.get('ConfigMap', 'tempo-grafana-datasource').data['tempo-datasource.yaml']);
    expect(provisioningSchema(file), JSON.stringify(provisioningSchema.errors)).toBe(true);
    expect(file.datasources[0]).toMatchObject({
      url: 'http://tempo-gateway.observability.svc:8080',
      basicAuth: true,
      basicAuthUser: 'grafana',
      secureJsonData: { basicAuthPassword: '${TEMPO_DATASOURCE_PASSWORD}' },
    });
    expect(file.datasources[0].jsonData).not.toHaveProperty('streamingEnabled');
    expect(rendered.tempoConfig()).not.toHaveProperty('stream_over_http_enabled');
  });
});
