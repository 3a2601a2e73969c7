import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { helmRelease, render, type Rendered } from './helpers/helm.ts';
import { chartSeries } from './helpers/invariants.ts';
import { tempoConfigOf } from './helpers/tempo-config.ts';
import { freePort, runsWith, scratchFolders, startAzurite, startNginx, startS3rver, type Running } from './helpers/servers.ts';
import { eventually, newTraceId, otlpGrpcKey, otlpHttpKey, otlpRequest, runsWithTempo, sendOtlpGrpc, sendOtlpHttp, startRenderedTempo, tempoGet, type TempoProcess } from './helpers/tempo.ts';
import { ownSeries, setValues, valuesSets, type ValuesSet } from './helpers/values-sets.ts';

/**
 * Every values set on real Tempo of its own series: the rendered configuration, arguments and
 * environment start the release's binary on loopback, which takes a trace over OTLP/HTTP (and
 * OTLP/gRPC where the set receives it) and answers for it by ID and by search; with the tenant a
 * multitenant set needs, and through the rendered nginx where the set puts the gateway in front. An S3
 * bucket is s3rver's and an Azure container Azurite's, where a block must land; GCS, which has no
 * emulator here, is stood in for by a local folder. The sets this cannot run say why.
 */
const scratch = scratchFolders();
afterAll(scratch.removeAll);
const helm = helmRelease('helm4');
const series = chartSeries();

interface Plan {
  set: ValuesSet;
  release: string;
  searchCutoffSeconds: number;
  /** Why the set does not run here, when it does not. */
  skip?: string;
}

function planOf(set: ValuesSet): Plan {
  const values = setValues(set);
  const own = series.find((entry) => entry.name === ownSeries(set))!;
  const plan: Plan = { set, release: own.release, searchCutoffSeconds: Number.parseInt(own.searchCutoff, 10) };
  if ((values.replicas ?? 1) > 1) plan.skip = 'pods that share rings: test/real-tempo.test.ts runs three processes of 2.5.0 and of 2.10.8 on memberlist';
  else if (values.tempo?.receivers?.tls?.existingSecret) plan.skip = "its receivers' certificates are a Secret of the user's";
  return plan;
}


const plans = valuesSets().map(planOf);

test('every values set runs here, or says why not', () => {
  expect(plans.filter((plan) => !plan.skip).length).toBeGreaterThanOrEqual(25);
  for (const plan of plans.filter((entry) => entry.skip)) console.log(`values set ${plan.set.name}: not run on Tempo here, ${plan.skip}`);
});

/** The gateway of a rendering, run by nginx in front of `tempo`: its Services' addresses become Tempo's loopback ones. */
async function startGateway(rendered: Rendered, tempo: TempoProcess, listeners: Record<number, string>): Promise<{ nginx: Running; httpUrl: string; grpcEndpoint?: string }> {
  const folder = scratch.make('tempo-gateway-');
  // nginx started as root runs its workers as nobody, who must read the files.
  chmodSync(folder, 0o755);
  const gateway = rendered.documents.find((doc) => doc.kind === 'ConfigMap' && doc.data?.['nginx.conf'])!;
  const secret = rendered.documents.find((doc) => doc.kind === 'Secret' && doc.data?.['.htpasswd'])!;
  writeFileSync(path.join(folder, '.htpasswd'), Buffer.from(secret.data['.htpasswd'], 'base64').toString('utf8'), { mode: 0o644 });
  const ports: Record<string, number> = {};
  let config = gateway.data['nginx.conf'] as string;
  // Each Service address nginx proxies to: Tempo's listener of that port, on loopback.
  config = config.replace(/(https?|grpc):\/\/[a-z0-9.-]+\.svc:(\d+)/g, (_match, scheme: string, port: string) => {
    const target = listeners[Number(port)];
    if (!target) throw new Error(`nginx.conf proxies to port ${port}, which no Tempo listener here binds`);
    return `${scheme}://${target}`;
  });
  for (const match of config.matchAll(/listen (\d+)( http2)?;/g)) ports[match[1]!] = await freePort();
  config = config.replace(/listen (\d+)( http2)?;/g, (_match, port: string, http2: string | undefined) => `listen 127.0.0.1:${ports[port]}${http2 ?? ''};`);
  config = config.replaceAll(' /tmp/', ` ${folder}/`).replace(/\/etc\/nginx\/secrets\/\.htpasswd/g, path.join(folder, '.htpasswd'));
  const configFile = path.join(folder, 'nginx.conf');
  writeFileSync(configFile, config, { mode: 0o644 });
  const check = spawnSync('nginx', ['-t', '-q', '-e', 'stderr', '-p', folder, '-c', configFile], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'ignore', 'pipe'] });
  expect(check.status, `nginx -t:\n${check.stderr}`).toBe(0);
  const [httpPort, grpcPort] = Object.values(ports);
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const nginx = await startNginx(configFile, folder, `${httpUrl}/healthz`);
  return { nginx, httpUrl, ...(grpcPort ? { grpcEndpoint: `127.0.0.1:${grpcPort}` } : {}) };
}

describe.runIf(series.every((entry) => runsWithTempo(entry.release)) && runsWith('nginx')).concurrent.each(plans.filter((plan) => !plan.skip))('values set $set.name on real Tempo $release', (plan) => {
  test('takes a trace and answers for it by ID and by search', async () => {
    const { set } = plan;
    const rendered = await render(helm, { release: set.release, namespace: set.namespace, valuesFiles: set.files, allow: set.allow, external: set.external });
    const store = scratch.make('tempo-store-');
    const workload = rendered.documents.find((doc) => doc.spec?.template && tempoConfigOf(doc.spec.template.spec, rendered.documents))!.metadata.name;
    const trace = tempoConfigOf(rendered.workload(workload).spec.template.spec, rendered.documents)!.config.storage.trace;
    // S3 is s3rver's, Azure Azurite's (with the set's own account and key); GCS, which has no emulator
    // here, a local folder's.
    const s3 = trace.backend === 's3' ? await startS3rver(scratch.make('s3rver-'), trace.s3.bucket) : undefined;
    const azureValues = setValues(set).storage?.azure;
    const azure = trace.backend === 'azure' ? await startAzurite(scratch.make('azurite-'), azureValues.storageAccountName, azureValues.storageAccountKey, trace.azure.container_name) : undefined;
    const env: Record<string, string> = {};
    if (s3) {
      // The credentials the pod would take from its Secret, or from its web identity (IRSA): s3rver's.
      for (const [key, fallback] of [['access_key', 'AWS_ACCESS_KEY_ID'], ['secret_key', 'AWS_SECRET_ACCESS_KEY']] as const) {
        const reference = /^\$\{(\w+)\}$/.exec(trace.s3[key] ?? '')?.[1] ?? fallback;
        env[reference] = key === 'access_key' ? s3.accessKey : s3.secretKey;
      }
    }
    let tempo: TempoProcess;
    try {
      tempo = await startRenderedTempo(rendered, scratch.make(`${set.name}-`), {
        version: plan.release,
        workload,
        env,
        timeoutMs: 150_000,
        adjust: (config) => {
          if (s3) config.storage.trace.s3 = { ...config.storage.trace.s3, endpoint: s3.endpoint, insecure: true, forcepathstyle: true };
          if (azure) config.storage.trace.azure = { ...config.storage.trace.azure, endpoint_suffix: azure.endpoint };
          if (s3 || azure) {
            // A block within seconds, so that one reaches the store while the test watches.
            const blocks = config.live_store ? (config.live_store = { ...config.live_store }) : (config.ingester = { ...config.ingester, trace_idle_period: '1s', flush_check_period: '1s' });
            blocks.max_block_duration = '2s';
          } else if (config.storage.trace.backend !== 'local') {
            const { gcs: _gcs, azure: _azure, ...rest } = config.storage.trace;
            config.storage.trace = { ...rest, backend: 'local', local: { path: store } };
          }
        },
      });
    } catch (error) {
      await Promise.all([s3?.stop(), azure?.stop()]);
      throw error;
    }
    let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
    try {
      const tenant = tempo.config.multitenancy_enabled ? 'team-a' : undefined;
      const gatewayValues = setValues(set).gateway;
      const gatewayUser = gatewayValues?.enabled ? (gatewayValues.basicAuth.users[0] as { username: string; password: string }) : undefined;
      const service = `${set.name}-checkout`;
      const traceId = newTraceId();
      const request = otlpRequest([{ traceId, service, name: 'GET /cart' }]);
      const headers: Record<string, string> = {};
      if (gatewayUser) {
        const http = Number(tempo.url.split(':').pop());
        const listeners: Record<number, string> = {};
        for (const listener of rendered.documents.filter((doc) => doc.kind === 'Service').flatMap((doc) => doc.spec.ports)) {
          const key = { http: 'http', 'otlp-http': otlpHttpKey, 'otlp-grpc': otlpGrpcKey }[listener.name as string];
          if (key === 'http') listeners[listener.port] = `127.0.0.1:${http}`;
          else if (key && tempo.receivers[key]) listeners[listener.port] = tempo.receivers[key]!;
        }
        gateway = await startGateway(rendered, tempo, listeners);
        headers.authorization = `Basic ${Buffer.from(`${gatewayUser.username}:${gatewayUser.password}`).toString('base64')}`;
        const sent = await fetch(`${gateway.httpUrl}/v1/traces`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-protobuf' }, body: new Uint8Array(request), signal: AbortSignal.timeout(10_000) });
        expect(sent.status, await sent.text()).toBe(200);
      } else {
        expect((await sendOtlpHttp(tempo.receivers[otlpHttpKey]!, request, tenant)).status).toBe(200);
        if (tempo.receivers[otlpGrpcKey]) {
          const viaGrpc = newTraceId();
          expect((await sendOtlpGrpc(tempo.receivers[otlpGrpcKey]!, otlpRequest([{ traceId: viaGrpc, service, name: 'GET /cart' }]), tenant)).grpcStatus).toBe(0);
          await eventually(async () => ((await tempoGet(tempo, `/api/traces/${viaGrpc}`, tenant)).status === 200 ? true : undefined), 30_000, 'the gRPC trace by ID');
        }
      }
      const query = async (pathAndQuery: string) => {
        if (!gateway) return tempoGet(tempo, pathAndQuery, tenant);
        const answer = await fetch(`${gateway.httpUrl}${pathAndQuery}`, { headers, signal: AbortSignal.timeout(10_000) });
        return { status: answer.status, body: await answer.text() };
      };
      await eventually(async () => ((await query(`/api/traces/${traceId}`)).status === 200 ? true : undefined), 30_000, 'the trace by ID');
      if (s3) await eventually(async () => (s3.objects().some((name) => name.endsWith('/meta.json')) ? true : undefined), 90_000, 'a block in the S3 bucket');
      if (azure) await eventually(async () => ((await azure.blobs()).some((name) => name.endsWith('/meta.json')) ? true : undefined), 90_000, 'a block in the Azure container');
      const wait = 30_000 + 2_000 * plan.searchCutoffSeconds;
      await eventually(
        async () => {
          const found = await query(`/api/search?tags=${encodeURIComponent(`service.name=${service}`)}`);
          return found.status === 200 && (JSON.parse(found.body).traces ?? []).some((trace: { traceID: string }) => trace.traceID.padStart(32, '0') === traceId) ? true : undefined;
        },
        wait,
        'the trace by search',
      );
    } finally {
      await gateway?.nginx.stop();
      await tempo.stop();
      await Promise.all([s3?.stop(), azure?.stop()]);
    }
  }, 300_000);
});
