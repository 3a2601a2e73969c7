import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { helmRelease, render, renderError } from './helpers/helm.ts';
import { scratchFolders } from './helpers/servers.ts';
import { eventually, grpcCall, onLoopbackPaths, newTraceId, otlpGrpcKey, otlpHttpKey, otlpRequest, runsWithTempo, sendOtlpGrpc, sendOtlpHttp, startRenderedTempo, tempoGet, tempoMetrics, type TempoProcess, tenantOverrides, verifyWithTempo } from './helpers/tempo.ts';
import { valuesSetsDir } from './helpers/values-sets.ts';
import { alertRuleMetrics, metricsAfterEvent } from './helpers/alerts.ts';

/**
 * The chart's defaults run by real Tempo on loopback: what the design deploys takes spans over OTLP/HTTP
 * and OTLP/gRPC and answers for them by ID and by search, and admits the requests its receivers accept.
 */
const scratch = scratchFolders();
afterAll(scratch.removeAll);
const helm = helmRelease('helm4');
/** A configuration with /var/tempo moved into `folder`, so -config.verify can create what it checks. */
const s3 = { backend: 's3' as const, s3: { bucket: 'tempo-traces', endpoint: 's3.eu-west-1.amazonaws.com', region: 'eu-west-1' } };

/**
 * Every Tempo of this file starts at once, in the first hook: each spends most of its start waiting
 * (about 15 s for its ingester to be ready), and the suites then run one after another.
 */
const starting: Record<string, Promise<TempoProcess[]>> = {};
function startAll(): void {
  const quiet = (promise: Promise<TempoProcess[]>) => {
    promise.catch(() => undefined); // awaited, and reported, by the suite that needs it
    return promise;
  };
  starting.default = quiet(render(helm).then(async (rendered) => [await startRenderedTempo(rendered, scratch.make('tempo-default-'))]));
  starting.tenants = quiet(render(helm, { valuesFiles: [path.join(valuesSetsDir, 'multitenancy.yaml')] }).then(async (rendered) => [await startRenderedTempo(rendered, scratch.make('tempo-tenants-'))]));
  starting.single = quiet(startSinglePodOnObjectStore());
  starting.cluster = quiet(startCluster('2.5.0', gossipPort));
  starting.cluster210 = quiet(startCluster('2.10.8', gossipPort + 1000));
  starting.opencensus = quiet(startOpenCensus());
}
beforeAll(() => {
  if (runsWithTempo()) startAll();
});
afterAll(async () => {
  const running = await Promise.all(Object.values(starting).map((promise) => promise.catch(() => [] as TempoProcess[])));
  await Promise.all(running.flat().map((tempo) => tempo.stop()));
});

describe.skipIf(!runsWithTempo())('the default install, on real Tempo', () => {
  let tempo: TempoProcess;
  beforeAll(async () => {
    tempo = (await starting.default!)[0]!;
  }, 90_000);

  test('a trace sent over OTLP/HTTP and one over OTLP/gRPC are found by ID and by search', async () => {
    const viaHttp = newTraceId();
    const viaGrpc = newTraceId();
    expect((await sendOtlpHttp(tempo.receivers[otlpHttpKey]!, otlpRequest([{ traceId: viaHttp, service: 'checkout-http', name: 'GET /cart' }]))).status).toBe(200);
    expect((await sendOtlpGrpc(tempo.receivers[otlpGrpcKey]!, otlpRequest([{ traceId: viaGrpc, service: 'checkout-grpc', name: 'GET /cart' }]))).grpcStatus).toBe(0);
    for (const [traceId, service] of [[viaHttp, 'checkout-http'], [viaGrpc, 'checkout-grpc']] as const) {
      const byId = await eventually(async () => {
        const found = await tempoGet(tempo, `/api/traces/${traceId}`);
        return found.status === 200 ? found.body : undefined;
      }, 20_000, `trace ${traceId} by ID`);
      expect(JSON.parse(byId).batches[0].resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: service } });
      await eventually(async () => {
        const search = JSON.parse((await tempoGet(tempo, `/api/search?tags=${encodeURIComponent(`service.name=${service}`)}`)).body);
        return search.traces?.some((trace: { traceID: string }) => trace.traceID.padStart(32, '0') === traceId) ? true : undefined;
      }, 20_000, `trace ${traceId} by search`);
    }
  }, 60_000);

  test('the largest request each default receiver accepts is admitted, retried while the rate refills the burst', async () => {
    // Just under OTLP/HTTP's 16 MiB and OTLP/gRPC's 4 MiB: 37 and 9 times the 450 kB burst the chart had.
    const request = (mebibytes: number) => otlpRequest(Array.from({ length: Math.floor(mebibytes * 10) }, () => ({ traceId: newTraceId(), service: 'batch', name: 'large', padding: 100 * 1024 })));
    const httpRequest = request(15.9);
    const grpcRequest = request(3.9);
    expect(httpRequest.length).toBeGreaterThan(15.5 * 1024 * 1024);
    expect(grpcRequest.length).toBeGreaterThan(3.8 * 1024 * 1024);
    expect((await sendOtlpHttp(tempo.receivers[otlpHttpKey]!, httpRequest)).status).toBe(200);
    // The bucket now holds under 1 MiB and refills at the design pod's 100 kB/s: refused for now, admitted
    // once about 40 s have refilled it.
    await eventually(async () => ((await sendOtlpGrpc(tempo.receivers[otlpGrpcKey]!, grpcRequest)).grpcStatus === 0 ? true : undefined), 80_000, 'the 3.9 MiB gRPC request');
  }, 100_000);

  test('a request above what a receiver accepts gets its refusal, as the README and NOTES say', async () => {
    const oversized = otlpRequest(Array.from({ length: 45 }, () => ({ traceId: newTraceId(), service: 'batch', name: 'large', padding: 100 * 1024 })));
    const answer = await sendOtlpGrpc(tempo.receivers[otlpGrpcKey]!, oversized);
    expect(answer.grpcStatus).toBe(8); // RESOURCE_EXHAUSTED
    expect(answer.message).toMatch(/received message larger than max \(\d+ vs\. 4194304\)/);
  }, 30_000);

  test('every path the chart lets a probe ask for answers 200 on a running Tempo', async () => {
    // The list is the one the chart's refusal prints.
    const refusal = await renderError(helm, { values: { readinessProbe: { httpGet: { path: '/healthz', port: 'http' } } } });
    const served = /Tempo serves ([^.]+)\./.exec(refusal)![1]!.split(', ');
    expect(served).toContain('/ready');
    for (const servedPath of served) expect((await tempoGet(tempo, servedPath)).status, servedPath).toBe(200);
  });

  test('every metric the alert rules read is exposed, or appears with a listed event; refusals show as rate_limited', async () => {
    // The tests above drove requests over the rate limit: the refusal the alert TempoSpansRefused reads.
    const metrics = await tempoMetrics(tempo);
    const used = await alertRuleMetrics();
    expect(used.length).toBeGreaterThanOrEqual(10);
    const missing = used.filter((name) => !metrics.has(name) && !(name in metricsAfterEvent));
    expect(missing, 'metrics the rules read that real Tempo never exposed').toEqual([]);
    expect(Object.keys(metricsAfterEvent).filter((name) => !used.includes(name)), 'events listed for metrics no rule reads').toEqual([]);
    expect(metrics.get('tempo_discarded_spans_total')?.some((sample) => sample.includes('reason="rate_limited"'))).toBe(true);
  });
});

test.runIf(runsWithTempo())("overrides keys Tempo 2.5.0 reads without a default are accepted by the chart and by Tempo's strict loader", async () => {
  // Keys a defaults dump leaves out (omitempty in Tempo's overrides structs), in both layouts.
  const nested = await render(helm, {
    values: {
      tempo: {
        overrides: {
          defaults: {
            ingestion: { tenant_shard_size: 3 },
            read: { unsafe_query_hints: true },
            metrics_generator: { trace_id_label_name: 'trace_id', remote_write_headers: { 'X-Scope-OrgID': 'tracing' } },
          },
        },
      },
    },
  });
  const flat = await render(helm, { values: { tempo: { structuredConfig: { overrides: { ingestion_tenant_shard_size: 3, unsafe_query_hints: true, metrics_generator_trace_id_label_name: 'trace_id' } } } } });
  const folder = scratch.make('tempo-verify-');
  expect(verifyWithTempo(onLoopbackPaths(nested.tempoConfig(), folder), folder)).toMatchObject({ ok: true });
  // The flat layout always draws Tempo's deprecation warning, which -config.verify counts as a failure: only unknown keys matter here.
  expect(verifyWithTempo(onLoopbackPaths(flat.tempoConfig(), folder), folder).output).not.toMatch(/not found|cannot unmarshal/);
});

describe.skipIf(!runsWithTempo())('per-tenant overrides, on real Tempo', () => {
  let tempo: TempoProcess;
  beforeAll(async () => {
    tempo = (await starting.tenants!)[0]!;
  }, 90_000);

  test('a tenant with an entry keeps every default it does not set itself', async () => {
    const payments = await tenantOverrides(tempo, 'team-b.payments');
    expect(payments.source).toBe('team-b.payments');
    expect(payments.overrides.compaction).toEqual({ block_retention: '3d' });
    expect(payments.overrides.ingestion).toMatchObject({ rate_limit_bytes: 100_000, burst_size_bytes: 16_777_216, max_traces_per_user: 20_000 });
    expect(payments.overrides.global).toMatchObject({ max_bytes_per_trace: 5_000_000 });
    const teamA = await tenantOverrides(tempo, 'team-a');
    expect(teamA.overrides.ingestion).toMatchObject({ rate_limit_bytes: 2_000_000, burst_size_bytes: 20_000_000, max_traces_per_user: 20_000 });
  });

  test('with a per-tenant file, the reload metric the alert TempoOverridesNotReloaded reads is exposed', async () => {
    expect((await tempoMetrics(tempo)).get('tempo_runtime_config_last_reload_successful')).toEqual(['tempo_runtime_config_last_reload_successful{config="overrides"} 1']);
  });

  test('a tenant with an entry of its own can write spans', async () => {
    const traceId = newTraceId();
    const otlpHttp = tempo.receivers['distributor.receivers.otlp.protocols.http']!;
    expect((await sendOtlpHttp(otlpHttp, otlpRequest([{ traceId, service: 'payments', name: 'charge' }]), 'team-b.payments')).status).toBe(200);
    await eventually(async () => ((await tempoGet(tempo, `/api/traces/${traceId}`, 'team-b.payments')).status === 200 ? true : undefined), 20_000, 'the tenant\'s trace');
  }, 30_000);
});

// Three pods of one StatefulSet, each on an address of its own and the same gossip port (not Tempo's
// 7946), sharing one trace store: a local folder stands in for the object store.
const gossipPort = 17_000 + Math.floor(Math.random() * 900);
const hosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const renderedJoinMembers: Record<string, unknown> = {};

async function startCluster(release: string, port: number): Promise<TempoProcess[]> {
  const rendered = await render(helm, { values: { replicas: 3, storage: s3, image: { tag: release }, tempo: { memberlist: { bindPort: port } } } });
  const store = scratch.make('tempo-store-');
  return Promise.all(
    hosts.map((host) =>
      startRenderedTempo(rendered, scratch.make('tempo-pod-'), {
        host,
        version: release,
        keepGossipPort: true,
        timeoutMs: 150_000,
        adjust: (config) => {
          // Named, the advertised address takes memberlist.advertise_port, Tempo's 7946 unless set: as
          // with a pod that advertises its own IP (memberlist.advertise_addr, as meshes and dual-stack
          // clusters need). Left to pick it, memberlist advertises the port it bound.
          config.memberlist.advertise_addr = host;
          renderedJoinMembers[release] = config.memberlist.join_members;
          config.memberlist.join_members = hosts.map((peer) => `${peer}:${port}`);
          config.storage.trace = { ...config.storage.trace, backend: 'local', local: { path: store } };
          delete config.storage.trace.s3;
        },
      }),
    ),
  );
}

async function startSinglePodOnObjectStore(): Promise<TempoProcess[]> {
  const rendered = await render(helm, { values: { storage: s3 } });
  expect(rendered.workload().kind).toBe('StatefulSet');
  const store = scratch.make('tempo-store-');
  const tempo = await startRenderedTempo(rendered, scratch.make('tempo-single-'), {
    // A local folder stands in for the bucket; the rings are what is under test.
    adjust: (config) => {
      config.storage.trace = { ...config.storage.trace, backend: 'local', local: { path: store } };
      delete config.storage.trace.s3;
    },
  });
  return [tempo];
}

const clusters = [
  { release: '2.5.0', starts: 'cluster', port: gossipPort },
  { release: '2.10.8', starts: 'cluster210', port: gossipPort + 1000 },
];
describe.skipIf(!runsWithTempo()).each(clusters)('a scaled-out Tempo of three pods, on real Tempo $release', ({ release, starts, port }) => {
  let pods: TempoProcess[] = [];
  beforeAll(async () => {
    pods = await starting[starts]!;
  }, 180_000);

  test('the pods gossip on a port other than 7946, form one ring, and a trace written through one is read through another', async () => {
    expect(renderedJoinMembers[release]).toEqual([`dns+tempo-headless.observability.svc:${port}`]);
    expect(pods[0]!.config.memberlist).toMatchObject({ bind_port: port, advertise_port: port });
    const members = await eventually(async () => {
      const page = (await tempoGet(pods[0]!, '/memberlist')).body;
      const alive = hosts.filter((host) => page.includes(`${host}:${port}`));
      return alive.length === hosts.length ? alive : undefined;
    }, 30_000, 'three members in the memberlist status');
    expect(members).toEqual(hosts);
    const traceId = newTraceId();
    // A replication factor of 3 needs 2 live ingesters for every write.
    const sent = await eventually(async () => {
      const answer = await sendOtlpHttp(pods[0]!.receivers[otlpHttpKey]!, otlpRequest([{ traceId, service: 'scaled-out', name: 'GET /' }]));
      return answer.status === 200 ? answer : undefined;
    }, 30_000, 'a write with a quorum');
    expect(sent.status).toBe(200);
    await eventually(async () => ((await tempoGet(pods[2]!, `/api/traces/${traceId}`)).status === 200 ? true : undefined), 30_000, 'the trace through the third pod');
  }, 90_000);
});

describe.skipIf(!runsWithTempo())('a single pod on an object store, on real Tempo', () => {
  let tempo: TempoProcess;
  beforeAll(async () => {
    tempo = (await starting.single!)[0]!;
  }, 90_000);

  test('keeps its rings in memory and does not wait for a compactor ring to settle with no one else in it', () => {
    expect(tempo.config.target).toBeUndefined();
    expect(tempo.config.compactor.ring).toBeUndefined();
    expect(tempo.log()).toContain('msg="enabling compaction"');
    expect(tempo.log()).not.toContain('waiting until compactor ring topology is stable');
  });
});

// OpenCensus with receiver TLS, which the chart refuses: the same Tempo twice, once as the chart renders
// it and once with the TLS settings tempo.receivers.tls would add, from a throwaway certificate.
const openCensusExport = '/opencensus.proto.agent.trace.v1.TraceService/Export';
let certificate: Buffer;

async function startOpenCensus(): Promise<TempoProcess[]> {
  const rendered = await render(helm, { values: { tempo: { receivers: { opencensus: { enabled: true } } } } });
  const tlsDir = scratch.make('tempo-tls-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(tlsDir, 'tls.key'), '-out', path.join(tlsDir, 'tls.crt')], { stdio: 'ignore' });
  certificate = readFileSync(path.join(tlsDir, 'tls.crt'));
  return Promise.all([
    startRenderedTempo(rendered, scratch.make('tempo-opencensus-')),
    startRenderedTempo(rendered, scratch.make('tempo-opencensus-tls-'), {
      adjust: (config) => {
        config.distributor.receivers.opencensus.tls = { cert_file: path.join(tlsDir, 'tls.crt'), key_file: path.join(tlsDir, 'tls.key') };
      },
    }),
  ]);
}

describe.skipIf(!runsWithTempo())('OpenCensus and receiver TLS, on real Tempo', () => {
  let plain: TempoProcess;
  let withTls: TempoProcess;
  beforeAll(async () => {
    [plain, withTls] = (await starting.opencensus!) as [TempoProcess, TempoProcess];
  }, 90_000);

  test('without TLS the receiver answers gRPC; with TLS it completes neither a TLS nor a plain call, which is why the chart refuses the pair', async () => {
    const endpoint = (tempo: TempoProcess) => tempo.receivers['distributor.receivers.opencensus']!;
    // An empty Export reaches the receiver itself, which answers that a first message needs a Node.
    expect(await grpcCall(`http://${endpoint(plain)}`, openCensusExport, Buffer.alloc(0))).toMatchObject({ grpcStatus: 2, message: expect.stringContaining('must have a Node') });
    expect(await grpcCall(`https://${endpoint(withTls)}`, openCensusExport, Buffer.alloc(0), { ca: certificate })).toMatchObject({ error: expect.any(String) });
    expect(await grpcCall(`http://${endpoint(withTls)}`, openCensusExport, Buffer.alloc(0))).not.toMatchObject({ grpcStatus: expect.any(Number) });
    const refusal = await renderError(helm, { values: { tempo: { receivers: { opencensus: { enabled: true }, tls: { enabled: true, existingSecret: 'tempo-receivers-tls' } } } } });
    expect(refusal).toContain('the OpenCensus receiver accepts neither TLS nor plain gRPC');
  });
});
