import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { paths } from '../build/paths.ts';
import { helmReleases, render, renderNotes, type Manifest, type Rendered } from './helpers/helm.ts';

const valuesSet = (name: string) => path.join(paths.root, 'test', 'values', `${name}.yaml`);

describe.each(helmReleases)('receivers and Services ($label)', (helm) => {
  const renderSet = (name: string) => render(helm, { valuesFiles: [valuesSet(name)], external: ['Secret/tempo-receivers-tls', 'Secret/kafka-credentials'] });

  describe.concurrent('every receiver (values set receivers-all)', () => {
    const tls = { cert_file: '/tls/receivers/tls.crt', key_file: '/tls/receivers/tls.key', client_ca_file: '/tls/receivers/ca.crt' };

    test('binds each receiver on 0.0.0.0, with TLS on every TCP one, and consumes Kafka with SASL over TLS', async () => {
      const rendered = await renderSet('receivers-all');
      expect(rendered.tempoConfig().distributor.receivers).toEqual({
        otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317', tls }, http: { endpoint: '0.0.0.0:4318', tls } } },
        jaeger: {
          protocols: {
            grpc: { endpoint: '0.0.0.0:14250', tls },
            thrift_http: { endpoint: '0.0.0.0:14268', tls },
            thrift_compact: { endpoint: '0.0.0.0:6831' },
            thrift_binary: { endpoint: '0.0.0.0:6832' },
          },
        },
        zipkin: { endpoint: '0.0.0.0:9411', tls },
        kafka: {
          brokers: ['kafka-0.kafka.messaging.svc:9093', 'kafka-1.kafka.messaging.svc:9093'],
          topic: 'traces',
          encoding: 'otlp_proto',
          group_id: 'tempo',
          client_id: 'tempo',
          protocol_version: '2.0.0',
          initial_offset: 'latest',
          auth: {
            sasl: { mechanism: 'SCRAM-SHA-512', username: '${KAFKA_SASL_USERNAME}', password: '${KAFKA_SASL_PASSWORD}' },
            tls: { insecure: false, insecure_skip_verify: false },
          },
        },
      });
    });

    test('fills the Kafka credentials from their Secret through the environment, and expands it', async () => {
      const container = (await renderSet('receivers-all')).tempoContainer();
      expect(container.env).toEqual(
        expect.arrayContaining([
          { name: 'KAFKA_SASL_USERNAME', valueFrom: { secretKeyRef: { name: 'kafka-credentials', key: 'username' } } },
          { name: 'KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: { name: 'kafka-credentials', key: 'password' } } },
        ]),
      );
      expect(container.args).toContain('-config.expand-env=true');
    });

    test('declares a container port per receiver, UDP for the Jaeger agents, and mounts the TLS Secret read-only', async () => {
      const rendered = await renderSet('receivers-all');
      const container = rendered.tempoContainer();
      expect(container.ports.map((port: Manifest) => `${port.name}:${port.containerPort}/${port.protocol}`)).toEqual([
        'http:3200/TCP',
        'otlp-grpc:4317/TCP',
        'otlp-http:4318/TCP',
        'jaeger-grpc:14250/TCP',
        'jaeger-http:14268/TCP',
        'jaeger-compact:6831/UDP',
        'jaeger-binary:6832/UDP',
        'zipkin:9411/TCP',
      ]);
      expect(container.volumeMounts).toContainEqual({ name: 'receivers-tls', mountPath: '/tls/receivers', readOnly: true });
      expect(rendered.workload().spec.template.spec.volumes).toContainEqual({ name: 'receivers-tls', secret: { secretName: 'tempo-receivers-tls' } });
    });

    test('puts the receivers on the ingest Service with their appProtocol, and leaves the query API on the main one', async () => {
      const rendered = await renderSet('receivers-all');
      const ports = (service: Manifest) => service.spec.ports.map((port: Manifest) => [port.name, port.protocol, port.appProtocol ?? '-', port.nodePort ?? '-'].join(' '));
      expect(ports(rendered.get('Service', 'tempo'))).toEqual(['http TCP http -']);
      const ingest = rendered.get('Service', 'tempo-ingest');
      expect(ports(ingest)).toEqual([
        'otlp-grpc TCP grpc 30317',
        'otlp-http TCP http -',
        'jaeger-grpc TCP grpc -',
        'jaeger-http TCP http -',
        'jaeger-compact UDP - -',
        'jaeger-binary UDP - -',
        'zipkin TCP http -',
      ]);
      expect(ingest.spec).toMatchObject({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.20.0.0/16'], externalTrafficPolicy: 'Local' });
      expect(ingest.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' });
    });
  });

  describe.concurrent('single values', () => {
    const renderValues = (values: object) => render(helm, { values });

    test('a receiver on its own port moves its container port, Service port and endpoint together', async () => {
      const rendered = await renderValues({ tempo: { receivers: { zipkin: { enabled: true, port: 19411 } } } });
      expect(rendered.tempoConfig().distributor.receivers.zipkin).toEqual({ endpoint: '0.0.0.0:19411' });
      expect(rendered.tempoContainer().ports).toContainEqual({ name: 'zipkin', containerPort: 19411, protocol: 'TCP' });
      expect(rendered.get('Service', 'tempo').spec.ports).toContainEqual({ name: 'zipkin', port: 19411, targetPort: 'zipkin', protocol: 'TCP', appProtocol: 'http' });
    });

    test('Kafka alone is enough to receive traces, and needs no port', async () => {
      const rendered: Rendered = await renderValues({
        tempo: { receivers: { otlp: { grpc: { enabled: false }, http: { enabled: false } }, kafka: { enabled: true, brokers: ['kafka:9092'] } } },
      });
      expect(Object.keys(rendered.tempoConfig().distributor.receivers)).toEqual(['kafka']);
      expect(rendered.tempoContainer().ports.map((port: Manifest) => port.name)).toEqual(['http']);
      expect(rendered.tempoContainer().args).toEqual(['-config.file=/conf/tempo.yaml']);
    });

    test('a UDP receiver and a TCP one may share a port number', async () => {
      const rendered = await renderValues({ tempo: { receivers: { jaeger: { thriftCompact: { enabled: true, port: 4317 } } } } });
      expect(rendered.tempoContainer().ports).toContainEqual({ name: 'jaeger-compact', containerPort: 4317, protocol: 'UDP' });
    });

    test('Service settings: node ports by name, source ranges and traffic policy on a LoadBalancer, dual stack', async () => {
      const rendered = await renderValues({
        service: { type: 'LoadBalancer', nodePorts: { http: 30200 }, loadBalancerSourceRanges: ['192.168.0.0/16'], externalTrafficPolicy: 'Local', ipFamilyPolicy: 'PreferDualStack' },
      });
      const service = rendered.get('Service', 'tempo');
      expect(service.spec).toMatchObject({ type: 'LoadBalancer', loadBalancerSourceRanges: ['192.168.0.0/16'], externalTrafficPolicy: 'Local', ipFamilyPolicy: 'PreferDualStack' });
      expect(service.spec.ports[0]).toMatchObject({ name: 'http', nodePort: 30200 });
      expect(rendered.ofKind('Service')).toHaveLength(1);
    });
  });
});

// NOTES need a cluster on Helm 3 (helm install --dry-run=client prints them on Helm 4 only).
test('NOTES list every receiver at the Service that carries it, with TLS, and the tenant header when it applies', async () => {
  const notes = await renderNotes({
    tempo: {
      receivers: { zipkin: { enabled: true }, jaeger: { thriftCompact: { enabled: true } }, tls: { enabled: true, existingSecret: 'tls' }, kafka: { enabled: true, brokers: ['kafka:9092'] } },
    },
    service: { ingest: { enabled: true } },
  });
  expect(notes).toContain('OTLP gRPC: tempo-ingest.observability.svc:4317');
  expect(notes).toContain('OTLP HTTP: https://tempo-ingest.observability.svc:4318  (POST /v1/traces)');
  expect(notes).toContain('Zipkin: https://tempo-ingest.observability.svc:9411  (POST /api/v2/spans)');
  expect(notes).toContain('Jaeger Thrift compact: tempo-ingest.observability.svc:6831 (UDP)');
  expect(notes).toContain('Kafka: topic otlp_spans on kafka:9092 (otlp_proto), read by consumer group tempo');
  expect(notes).toContain('http://tempo.observability.svc:3200');
  const multitenant = await renderNotes({ tempo: { multitenancyEnabled: true } });
  expect(multitenant).toContain('every write and every query must carry the header X-Scope-OrgID: <tenant>');
});
