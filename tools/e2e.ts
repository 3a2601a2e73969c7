import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { distributedSoakShortfalls } from '../build/soaks.ts';
import { helmRelease, Rendered, renderText, type Manifest } from '../test/helpers/helm.ts';
import { chartSeries } from '../test/helpers/invariants.ts';
import { freePort, runsWith, scratchFolders, startAzurite, startKafkaBroker, startNginx, startS3rver, type Running } from '../test/helpers/servers.ts';
import { tempoConfigOf } from '../test/helpers/tempo-config.ts';
import { appendDistributedSoak, canConfine, distributedSoakRecord, podCgroup, saturationSoak, type PodCgroup, type SoakResult } from './distributed-soak.ts';
import { eventually, newTraceId, otlpGrpcKey, otlpHttpKey, otlpRequest, sendOtlpGrpc, sendOtlpHttp, startRenderedTempo, tempoGet, type TempoProcess } from '../test/helpers/tempo.ts';
import { helmMerge, setAt } from '../test/helpers/values-sets.ts';

/**
 * npm run e2e -- -f FILE [-f FILE]... [--set KEY=VALUE]... [--failures] [--helm-test] [--soak DURATION]: a rendered release run on loopback, as its
 * pods would run it. The chart is rendered with the values given (Helm's -f and --set); Tempo's
 * workload starts as the release's own binary with the rendered configuration, arguments and
 * environment (tools and tests share this runner: test/values-sets-on-tempo.test.ts runs every values
 * set through it); in-cluster addresses become loopback ones; an S3 bucket is s3rver's and an Azure
 * container Azurite's, started as the values need them (GCS, which has no emulator here, becomes a
 * local folder); the gateway, when on, is the rendered nginx configuration run by nginx. Then a trace
 * goes in over OTLP/HTTP and one over OTLP/gRPC (where the release receives it), through the gateway
 * when it is on, and both are read back by ID and by search through the query path. The last line
 * printed is a JSON summary; the exit code is 0 only when every step held.
 *
 * Several replicas run as several processes, each on a loopback address of its own, gossiping as the
 * StatefulSet's pods do; writes go to the first and reads to the last. Architecture distributed runs
 * every replica of every component so, with its pod's name as its identity, Kafka as the test broker,
 * writes through the distributors and reads through the query-frontend; --failures then kills and
 * restarts its pods (failureScenarios). --helm-test runs the release's own helm test beside it (startHelmTest). What it does not run yet says so and fails: receivers whose
 * certificates are a Secret of the user's.
 */

type Json = Record<string, any>;

export interface RunOptions {
  /** The values the rendering was made with (for what the rendering holds only as hashes: the gateway's passwords). */
  values: Json;
  /** Makes the folders the run writes in. */
  makeFolder: (prefix: string) => string;
  /** Logs what the run does, step by step. */
  log?: (line: string) => void;
  /** Also run the failure scenarios of architecture distributed (failureScenarios). */
  failures?: boolean;
  /** Where the S3 emulator keeps the bucket: an earlier run's, to run a release on what another left (moving between architectures). */
  bucketFolder?: string;
  /** Traces an earlier run on the same bucket acknowledged: each must be read back by ID. */
  readBack?: string[];
  /** Whether to look for the traces by search too (true unless told): a run that proves something else may leave it. */
  search?: boolean;
  /** Also run the release's helm test (startHelmTest), from the start, beside the runner's own writes; the rendering must hold the hook (rendered with its tests). */
  helmTest?: boolean;
  /** Architecture distributed: a saturation soak of this length (420s, 7m), each pod within its container's limits (tools/distributed-soak.ts); the machine's for the whole run. */
  soak?: string;
}

export interface RunSummary {
  ok: boolean;
  tempo?: string;
  workload?: string;
  storage?: string;
  /** How many Tempo pods ran, each a process. */
  pods?: number;
  gateway: boolean;
  tenant?: string;
  /** What went in and came back: each trace by protocol, and whether it was read by ID and found by search. */
  traces: Array<{ protocol: 'otlp-http' | 'otlp-grpc'; traceId: string; accepted: boolean; byId: boolean; bySearch: boolean }>;
  /** Whether a block reached the object store, where there is one. */
  blockInStore?: boolean;
  /** The traces of an earlier run (readBack), and whether each was read back by ID. */
  readBack?: Array<{ traceId: string; byId: boolean }>;
  /** Architecture distributed: the names of the tempo* metrics each component recorded by the end of the run. */
  metrics?: Record<string, string[]>;
  /** The failure scenarios run (--failures), each with what it showed. */
  failures?: FailureResult[];
  /** The release's helm test (its hook Pod's script, as rendered), run first: whether it passed, and the end of what it printed. */
  helmTest?: { ok: boolean; output: string };
  /** The saturation soak (--soak): what each pod's cgroup held, and the traces read back. */
  soak?: SoakResult;
  problems: string[];
  elapsedMs: number;
}

/** Why the runner cannot run this rendering, or undefined when it can. */
export function cannotRun(_rendered: Rendered, values: Json): string | undefined {
  if (values.tempo?.receivers?.tls?.existingSecret) return "its receivers' certificates are a Secret of the user's";
  return undefined;
}

/** Addresses of their own for a run's pods (127.x.y.2, .3, ...), so that runs side by side never share one. */
function podHosts(count: number): string[] {
  const [a, b] = [1 + Math.floor(Math.random() * 250), 1 + Math.floor(Math.random() * 250)];
  return Array.from({ length: count }, (_, ordinal) => `127.${a}.${b}.${2 + ordinal}`);
}

/**
 * The Tempo release the runner starts for a workload: the one of the series the chart rendered for (the
 * MAJOR.MINOR of the pods' app.kubernetes.io/version, which is the image's tag), whose binary is here;
 * a tag of one's own (2.5.0-patched.1) runs as its series' release.
 */
function tempoRelease(workload: Manifest): { release: string; searchCutoffSeconds: number } {
  const version: string = workload.spec.template.metadata.labels['app.kubernetes.io/version'] ?? '';
  const name = /^v?(\d+\.\d+)/.exec(version)?.[1];
  const series = chartSeries().find((entry) => entry.name === name);
  if (!series) throw new Error(`the pods run Tempo ${version}, of no series the chart supports`);
  return { release: series.release, searchCutoffSeconds: Number.parseInt(series.searchCutoff, 10) };
}

/** A release started on loopback: where it takes spans and answers queries, and what a Service address is on loopback. */
interface StartedRelease {
  /** The receivers, host:port by their key in the configuration (otlpHttpKey, otlpGrpcKey). */
  receivers: Record<string, string>;
  /** Tempo's query API (the pod that answers queries: the last replica, or the query-frontend). */
  query: TempoProcess;
  /** The configuration the writers run (for multitenancy). */
  config: Json;
  /** Where a Service's port (the host the rendered configuration names, <service>.<namespace>.svc) answers on loopback. */
  resolve(serviceHost: string, port: number): string | undefined;
  /** The end of the logs of the processes, for a failure. */
  logs(): string;
  /** Architecture distributed's pods, for the failure scenarios. */
  pods?: PodHandle[];
}

/** One pod of a distributed release on loopback: its process, killed as a crash kills it and started again. */
interface PodHandle {
  /** Its pod's name: <workload>-<ordinal>. */
  name: string;
  /** Its app.kubernetes.io/component: distributor, live-store, live-store-zone-a, ... */
  component: string;
  process: TempoProcess;
  /** Its cgroups, when it runs within its container's limits (--soak). */
  cgroup?: PodCgroup;
  kill(): Promise<void>;
  /** Starts it again on its volume, or on an empty one. */
  start(options?: { emptyVolume?: boolean }): Promise<void>;
}

/** Runs a rendering on loopback; never throws for what the release does wrong: the summary says it. */
export async function runRendered(rendered: Rendered, options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const summary: RunSummary = { ok: false, gateway: false, traces: [], problems: [], elapsedMs: 0 };
  const running: Running[] = [];
  let release: StartedRelease | undefined;
  let helmTest: HelmTestRun | undefined;
  try {
    const reason = cannotRun(rendered, options.values);
    if (reason) throw new Error(`not run: ${reason}`);
    const components = distributedComponents(rendered);
    const first = components[0] ?? rendered.workload();
    const podSpec = first.spec.template.spec;
    const { release: version, searchCutoffSeconds } = tempoRelease(first);
    summary.tempo = version;
    const trace = tempoConfigOf(podSpec, rendered.documents)!.config.storage.trace;
    summary.storage = trace.backend;

    // S3 is s3rver's, Azure Azurite's (with the values' own account and key); GCS a local folder's.
    const s3 = trace.backend === 's3' ? await startS3rver(options.bucketFolder ?? options.makeFolder('e2e-s3rver-'), trace.s3.bucket) : undefined;
    if (s3) running.push(s3);
    const azureValues = options.values.storage?.azure;
    const azure = trace.backend === 'azure' ? await startAzurite(options.makeFolder('e2e-azurite-'), azureValues.storageAccountName, azureValues.storageAccountKey, trace.azure.container_name) : undefined;
    if (azure) running.push(azure);
    const blocksBefore = new Set((s3?.blockMetas() ?? []).map((meta) => `${meta.blockID}/${meta.endTime}`));
    if (options.soak && !canConfine()) throw new Error('--soak runs each pod within its limits in cgroup v1: run it as root on a machine with the memory and cpu controllers');
    const context: StartContext = { version, store: { s3, azure, localFolder: options.makeFolder('e2e-store-') }, makeFolder: options.makeFolder, log, running, summary, soak: Boolean(options.soak) };
    release = components.length > 0 ? await startDistributed(rendered, components, context) : await startMonolithic(rendered, context);
    const tempo = release;
    const tenant = tempo.config.multitenancy_enabled ? 'e2e-tenant' : undefined;
    summary.tenant = tenant;
    const gatewayUser = options.values.gateway?.enabled ? (options.values.gateway.basicAuth?.users?.[0] as { username: string; password: string } | undefined) : undefined;
    const headers: Record<string, string> = {};
    let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
    if (options.values.gateway?.enabled) {
      if (!gatewayUser) throw new Error('the gateway is on with users from an existing Secret: the runner needs a user of gateway.basicAuth.users');
      gateway = await startGateway(rendered, tempo, options.makeFolder('e2e-gateway-'));
      running.push(gateway.nginx);
      summary.gateway = true;
      headers.authorization = `Basic ${Buffer.from(`${gatewayUser.username}:${gatewayUser.password}`).toString('base64')}`;
    }
    // From the start, beside the runner's own writes, as `helm test` right after `helm install`: a
    // distributed release refuses writes until its partitions are active, and the script must wait that out.
    if (options.helmTest) {
      helmTest = startHelmTest(rendered, tempo, gateway?.httpUrl, options.makeFolder('e2e-helm-test-'));
      if (!helmTest) throw new Error('--helm-test: the values render no helm test (tests.enabled)');
    }
    const service = `e2e-${Date.now().toString(36)}`;
    const send = async (protocol: 'otlp-http' | 'otlp-grpc', traceId: string): Promise<boolean> => {
      const request = otlpRequest([{ traceId, service, name: 'GET /cart' }]);
      if (protocol === 'otlp-http' && gateway) {
        const sent = await fetch(`${gateway.httpUrl}/v1/traces`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-protobuf' }, body: new Uint8Array(request), signal: AbortSignal.timeout(10_000) });
        return sent.status === 200;
      }
      if (protocol === 'otlp-http') return (await sendOtlpHttp(tempo.receivers[otlpHttpKey]!, request, tenant)).status === 200;
      return (await sendOtlpGrpc(tempo.receivers[otlpGrpcKey]!, request, tenant)).grpcStatus === 0;
    };
    const query = async (pathAndQuery: string) => {
      if (!gateway) return tempoGet(tempo.query, pathAndQuery, tenant);
      const answer = await fetch(`${gateway.httpUrl}${pathAndQuery}`, { headers, signal: AbortSignal.timeout(10_000) });
      return { status: answer.status, body: await answer.text() };
    };
    // OTLP/gRPC straight to Tempo: the gateway's gRPC listener needs HTTP/2 with credentials, which the rendered nginx test covers.
    const protocols: Array<'otlp-http' | 'otlp-grpc'> = ['otlp-http', ...(tempo.receivers[otlpGrpcKey] && !gateway ? ['otlp-grpc' as const] : [])];
    for (const protocol of protocols) {
      const entry = { protocol, traceId: newTraceId(), accepted: false, byId: false, bySearch: false };
      summary.traces.push(entry);
      // Distributed, a distributor takes writes once the live-stores have made every partition active
      // (about 19 s after start, measured): until then it refuses them, as it would in a cluster.
      entry.accepted = components.length > 0 ? await eventually(async () => ((await send(protocol, entry.traceId)) ? true : undefined), 60_000, `a write over ${protocol}`).catch(() => false) : await send(protocol, entry.traceId);
      log(`sent a trace over ${protocol}: ${entry.accepted ? 'accepted' : 'refused'}`);
    }
    for (const entry of summary.traces.filter((candidate) => candidate.accepted)) {
      entry.byId = await eventually(async () => ((await query(`/api/traces/${entry.traceId}`)).status === 200 ? true : undefined), 30_000, 'the trace by ID').catch(() => false);
    }
    // A soak runs the block-builders' production cycle (5 minutes): its blocks are looked for after the load.
    if (s3 && !options.soak) {
      // Blocks of this run, as written (level 0), holding at least as many traces as it sent: a bucket
      // may hold another run's blocks (moving between architectures).
      const accepted = summary.traces.filter((entry) => entry.accepted).length;
      const ours = () => s3.blockMetas().filter((meta) => meta.compactionLevel === 0 && !blocksBefore.has(`${meta.blockID}/${meta.endTime}`) && Date.parse(meta.endTime) >= started - 60_000);
      summary.blockInStore = await eventually(async () => (ours().reduce((sum, meta) => sum + meta.totalObjects, 0) >= accepted ? true : undefined), 90_000, "the run's blocks in the S3 bucket").catch(() => false);
    }
    if (azure) summary.blockInStore = await eventually(async () => ((await azure.blobs()).some((name) => name.endsWith('/meta.json')) ? true : undefined), 90_000, 'a block in the Azure container').catch(() => false);
    // A search reaches what the series' search cutoff leaves it (3.0 waits for its blocks).
    const wait = 30_000 + 2_000 * searchCutoffSeconds;
    // What the last search answered, for the problem when none found the trace.
    let lastSearch = 'no answer';
    // The whole run, as the helm test asks: without start and end, 3.0 searches only the last
    // query_backend_after (30 s here), which a busy machine's block wait outlasts.
    const searchWindow = () => `start=${Math.floor(started / 1000) - 60}&end=${Math.ceil(Date.now() / 1000) + 60}`;
    for (const entry of summary.traces.filter((candidate) => candidate.accepted && options.search !== false)) {
      entry.bySearch = await eventually(
        async () => {
          const found = await query(`/api/search?tags=${encodeURIComponent(`service.name=${service}`)}&${searchWindow()}`).catch((error: Error) => ({ status: 0, body: error.message }));
          lastSearch = `${found.status} ${found.body.slice(0, 400)}`;
          return found.status === 200 && (JSON.parse(found.body).traces ?? []).some((candidate: { traceID: string }) => candidate.traceID.padStart(32, '0') === entry.traceId) ? true : undefined;
        },
        wait,
        'the trace by search',
      ).catch(() => false);
    }
    for (const entry of summary.traces) {
      if (!entry.accepted) summary.problems.push(`the trace sent over ${entry.protocol} was refused`);
      else if (!entry.byId) summary.problems.push(`the trace sent over ${entry.protocol} was not read back by ID`);
      else if (!entry.bySearch && options.search !== false) summary.problems.push(`the trace sent over ${entry.protocol} was not found by search (the last search answered ${lastSearch})`);
    }
    if (summary.blockInStore === false) summary.problems.push(`no block reached the ${trace.backend} store`);
    summary.helmTest = await helmTest?.result;
    if (summary.helmTest) log(`helm test: ${summary.helmTest.ok ? 'passed' : 'failed'}`);
    if (summary.helmTest && !summary.helmTest.ok) summary.problems.push(`the helm test failed:\n${summary.helmTest.output}`);
    if (options.readBack) {
      summary.readBack = [];
      for (const traceId of options.readBack) {
        const byId = await eventually(async () => ((await query(`/api/traces/${traceId}`)).status === 200 ? true : undefined), 60_000, 'an earlier trace by ID').catch(() => false);
        summary.readBack.push({ traceId, byId });
        if (!byId) summary.problems.push(`the trace ${traceId}, which an earlier run left in the bucket, was not read back by ID`);
      }
    }
    if (tempo.pods) {
      // The metrics each component records (the names), which the alert rules of a distributed Tempo read.
      summary.metrics = {};
      for (const pod of tempo.pods) {
        const text = await fetch(`${pod.process.url}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((answer) => answer.text(), () => '');
        const names = new Set(text.split('\n').filter((line) => /^tempo/.test(line)).map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]));
        summary.metrics[pod.component] = [...new Set([...(summary.metrics[pod.component] ?? []), ...names])].sort();
      }
    }
    if (options.soak) {
      if (!tempo.pods) throw new Error('--soak runs on architecture distributed only (npm run soak soaks a single pod)');
      if (summary.problems.length === 0) {
        const pods = tempo.pods.map((pod) => ({ name: pod.name, component: pod.component, process: () => pod.process, cgroup: pod.cgroup! }));
        const distributors = tempo.pods.filter((pod) => pod.component === 'distributor').map((pod) => pod.process.receivers[otlpGrpcKey]).filter((address): address is string => Boolean(address));
        if (distributors.length === 0) throw new Error('--soak loads the distributors over OTLP/gRPC: the values turn that receiver off');
        summary.soak = await saturationSoak(pods, { duration: options.soak, distributors, query, log, folder: options.makeFolder('e2e-soak-') });
        for (const shortfall of distributedSoakShortfalls(summary.soak)) summary.problems.push(`soak: ${shortfall}`);
        if (s3) summary.blockInStore = await eventually(async () => (s3.blockMetas().some((meta) => !blocksBefore.has(`${meta.blockID}/${meta.endTime}`)) ? true : undefined), 360_000, 'a block of the soak in the bucket').catch(() => false);
        if (summary.blockInStore === false) summary.problems.push('soak: no block reached the s3 store within a block-builder cycle after the load');
        // Whether what the live-stores did not return reached the blocks (delayed, or lost): the
        // block-builders' next cycle, 5 minutes at most, writes what is in Kafka.
        const stillMissing = new Set(summary.soak.missing);
        if (stillMissing.size > 0) {
          log(`soak: ${stillMissing.size} sampled traces not read back; waiting a block-builder cycle for them`);
          await eventually(async () => {
            for (const traceId of [...stillMissing]) if ((await query(`/api/traces/${traceId}`)).status === 200) stillMissing.delete(traceId);
            return stillMissing.size === 0 ? true : undefined;
          }, 330_000, 'the missing traces in the blocks').catch(() => undefined);
        }
        summary.soak.missingInBlocks = [...stillMissing];
      }
    }
    if (options.failures) {
      if (!tempo.pods) throw new Error('--failures runs on architecture distributed only');
      if (summary.problems.length === 0) {
        if (!s3) throw new Error('--failures reads the blocks from the S3 emulator: run it on storage.backend s3');
        summary.failures = await failureScenarios(tempo.pods, { send: (traceId) => send('otlp-http', traceId), query, blocks: () => s3.blockMetas(), log });
        for (const failure of summary.failures.filter((result) => !result.ok)) summary.problems.push(`${failure.scenario}: ${failure.detail}`);
      }
    }
    if (summary.problems.length > 0) summary.problems.push(`Tempo's logs end:\n${tempo.logs()}`);
    summary.ok = summary.problems.length === 0 && summary.traces.length > 0;
  } catch (error) {
    log((error as Error).stack ?? String(error));
    summary.problems.push((error as Error).message.split('\n').slice(0, 20).join('\n'));
    if (release) summary.problems.push(`Tempo's logs end:\n${release.logs()}`);
  } finally {
    helmTest?.stop();
    await Promise.all(running.map((server) => server.stop()));
    summary.elapsedMs = Date.now() - started;
  }
  return summary;
}

interface ObjectStore {
  s3?: Awaited<ReturnType<typeof startS3rver>>;
  azure?: Awaited<ReturnType<typeof startAzurite>>;
  /** Where a GCS bucket goes: no emulator here. */
  localFolder: string;
}

interface StartContext {
  version: string;
  store: ObjectStore;
  makeFolder: (prefix: string) => string;
  log: (line: string) => void;
  /** What the run started, stopped at its end. */
  running: Running[];
  summary: RunSummary;
  /** A saturation soak follows: each pod runs within its container's limits, and at production timings. */
  soak: boolean;
}

/** The credentials the pod would take from its Secret, or from its web identity (IRSA): s3rver's. */
function storeEnvironment(trace: Json, store: ObjectStore): Record<string, string> {
  const env: Record<string, string> = {};
  if (store.s3) {
    for (const [key, fallback] of [['access_key', 'AWS_ACCESS_KEY_ID'], ['secret_key', 'AWS_SECRET_ACCESS_KEY']] as const) {
      const reference = /^\$\{(\w+)\}$/.exec(trace.s3[key] ?? '')?.[1] ?? fallback;
      env[reference] = key === 'access_key' ? store.s3.accessKey : store.s3.secretKey;
    }
  }
  return env;
}

/** A configuration's object store moved onto the emulators (GCS onto a local folder). */
function onEmulatedStore(config: Json, store: ObjectStore): void {
  if (store.s3) config.storage.trace.s3 = { ...config.storage.trace.s3, endpoint: store.s3.endpoint, insecure: true, forcepathstyle: true };
  else if (store.azure) config.storage.trace.azure = { ...config.storage.trace.azure, endpoint_suffix: store.azure.endpoint };
  else if (config.storage.trace.backend !== 'local') {
    const { gcs: _gcs, azure: _azure, ...rest } = config.storage.trace;
    config.storage.trace = { ...rest, backend: 'local', local: { path: store.localFolder } };
  }
}

/**
 * The monolithic workload: each replica a process of its own, on an address of its own (its pod's IP),
 * as the StatefulSet's ordinals are pods: they gossip on the rendered port, and join each other where
 * the rendered configuration joins the headless Service. Writes go to the first and reads to the last:
 * what one pod took, the release answers for from any.
 */
async function startMonolithic(rendered: Rendered, context: StartContext): Promise<StartedRelease> {
  const { store, summary } = context;
  const workload = rendered.workload();
  summary.workload = `${workload.kind}/${workload.metadata.name}`;
  const trace = tempoConfigOf(workload.spec.template.spec, rendered.documents)!.config.storage.trace;
  const replicas: number = workload.spec.replicas ?? 1;
  summary.pods = replicas;
  const hosts = replicas > 1 ? podHosts(replicas) : ['127.0.0.1'];
  context.log(`starting ${replicas} Tempo ${context.version} (${summary.workload}, storage ${trace.backend})`);
  const pods = await startPods(context, hosts.map((host) => ({
    host,
    start: (folder: string) => startRenderedTempo(rendered, folder, {
      version: context.version,
      env: storeEnvironment(trace, store),
      host,
      keepGossipPort: replicas > 1,
      timeoutMs: 150_000,
      adjust: (config) => {
        if (replicas > 1) {
          const port = config.memberlist.bind_port;
          // Advertised by name, the address takes advertise_port, as a pod advertising its own IP.
          config.memberlist.advertise_addr = host;
          config.memberlist.join_members = hosts.map((peer) => `${peer}:${port}`);
        }
        onEmulatedStore(config, store);
        if (store.s3 || store.azure) {
          // A block within seconds, so that one reaches the store while the run watches.
          const blocks = config.live_store ? (config.live_store = { ...config.live_store }) : (config.ingester = { ...config.ingester, trace_idle_period: '1s', flush_check_period: '1s' });
          blocks.max_block_duration = '2s';
        }
      },
    }),
  })));
  for (const pod of pods) context.running.push({ url: pod.url, stop: async () => void (await pod.stop()) });
  const writer = pods[0]!;
  const reader = pods[pods.length - 1]!;
  // Tempo's listeners by the port its Services (those that select its pods) give them.
  const listeners: Record<number, string> = {};
  for (const port of rendered.component('tempo').services.flatMap((doc) => doc.spec.ports ?? [])) {
    const key = { http: 'http', 'otlp-http': otlpHttpKey, 'otlp-grpc': otlpGrpcKey }[port.name as string];
    if (key === 'http') listeners[port.port] = writer.url.replace('http://', '');
    else if (key && writer.receivers[key]) listeners[port.port] = writer.receivers[key]!;
  }
  return { receivers: writer.receivers, query: reader, config: writer.config, resolve: (_host, port) => listeners[port], logs: () => logsOf(pods) };
}

/** The end of each process's log, named. */
function logsOf(pods: TempoProcess[]): string {
  return pods.map((pod) => `--- ${pod.url}\n${pod.log().slice(-1500)}`).join('\n');
}

/**
 * Starts processes side by side, each in its folder (a new one unless given); when one fails to start,
 * the error carries every log. The caller stops them (the monolithic pods at the end of the run).
 */
async function startPods(context: StartContext, pods: Array<{ host: string; folder?: string; start: (folder: string) => Promise<TempoProcess> }>): Promise<TempoProcess[]> {
  const started: Array<TempoProcess | undefined> = pods.map(() => undefined);
  const results = await Promise.allSettled(pods.map(async (pod, index) => {
    started[index] = await pod.start(pod.folder ?? context.makeFolder('e2e-tempo-'));
  }));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((process) => process?.stop()));
    throw new Error(`${(failed.reason as Error).message.split('\n')[0]}\n${logsOf(started.filter((pod): pod is TempoProcess => pod !== undefined))}`);
  }
  return started as TempoProcess[];
}

/** The workloads of architecture distributed: each runs one Tempo component (-target=...), in the rendered order; none for a monolithic Tempo. */
function distributedComponents(rendered: Rendered): Manifest[] {
  return rendered.documents.filter((doc) => (doc.kind === 'Deployment' || doc.kind === 'StatefulSet') && (tempoConfigOf(doc.spec.template.spec, rendered.documents)?.container.args ?? []).some((arg: string) => /^--?target=/.test(arg)));
}

/**
 * The settings a run shortens so that it watches in seconds what takes minutes (production defaults in
 * docs/distributed.md). A soak keeps the block-builders' cycle of production, which decides how much
 * a block-builder holds, and searches the live-stores for the last 15 minutes, as in production,
 * since its blocks come only after one cycle.
 */
function shortenedForTest(config: Json, soak: boolean): void {
  const set = (dotted: string, value: unknown) => setAt(config, dotted, value);
  if (!soak) set('block_builder.consume_cycle_duration', '5s');
  set('live_store.partition_ring.min_partition_owners_duration', '1s');
  set('query_frontend.query_end_cutoff', '1s');
  if (!soak) set('query_frontend.search.query_backend_after', '30s');
  set('storage.trace.blocklist_poll', '5s');
  set('backend_worker.ring.wait_stability_min_duration', '1s');
  set('backend_worker.ring.wait_stability_max_duration', '5s');
  if (config.metrics_generator?.storage) set('metrics_generator.registry.collection_interval', '5s');
}

/**
 * Architecture distributed: every replica of every component a process of its own on an address of
 * its own, with its pod's name (a StatefulSet's <name>-<ordinal>) as its instance ID, the rendered
 * ports, and the Services' addresses mapped onto the addresses of the pods they select; the Kafka of
 * kafka.brokers is the test broker, with the topic and partitions the configuration names. Writes go
 * to the distributors, reads to the query-frontend.
 */
async function startDistributed(rendered: Rendered, components: Manifest[], context: StartContext): Promise<StartedRelease> {
  const { store, summary } = context;
  const pods = components.flatMap((workload) => {
    const replicas: number = workload.spec.replicas ?? rendered.ofKind('HorizontalPodAutoscaler').find((scaler) => scaler.spec.scaleTargetRef.name === workload.metadata.name)?.spec.minReplicas ?? 1;
    return Array.from({ length: replicas }, (_, ordinal) => ({ workload, name: `${workload.metadata.name}-${ordinal}`, labels: workload.spec.template.metadata.labels as Record<string, string> }));
  });
  const hosts = podHosts(pods.length);
  summary.workload = components.map((workload) => `${workload.kind}/${workload.metadata.name}`).join(', ');
  summary.pods = pods.length;
  // Each Service's in-cluster host, and the addresses of the pods it selects.
  const serviceHosts = new Map<string, string[]>();
  for (const service of rendered.ofKind('Service')) {
    const selector: Record<string, string> = service.spec.selector ?? {};
    const selected = pods.flatMap((pod, index) => (Object.entries(selector).every(([key, value]) => pod.labels[key] === value) ? [hosts[index]!] : []));
    serviceHosts.set(`${service.metadata.name}.${service.metadata.namespace}.svc`, selected);
  }
  const resolve = (host: string, port: number) => {
    const first = serviceHosts.get(host)?.[0];
    return first ? `${first}:${port}` : undefined;
  };
  const shared = tempoConfigOf(components[0]!.spec.template.spec, rendered.documents)!.config;
  const broker = await startKafkaBroker(context.makeFolder('e2e-kafka-'), shared.ingest.kafka.topic, shared.ingest.kafka.auto_create_topic_default_partitions);
  context.running.push(broker);
  const gossipers = pods.flatMap((pod, index) => (pod.workload.spec.template.spec.containers[0].ports ?? []).some((port: Json) => port.name === 'gossip') ? [hosts[index]!] : []);
  const mapped = (address: string) => {
    const [host, port] = address.split(':');
    return resolve(host!, Number(port)) ?? address;
  };
  context.log(`starting ${pods.length} Tempo ${context.version} processes (${summary.workload}) with a Kafka broker on ${broker.address}, storage ${shared.storage.trace.backend}`);
  // Within each container's limits for a soak, removed once every process has stopped.
  const cgroups = context.soak ? pods.map((pod) => podCgroup(pod.name, tempoConfigOf(pod.workload.spec.template.spec, rendered.documents)!.container.resources)) : [];
  const launch = (index: number) => (folder: string) => {
    const pod = pods[index]!;
    return startRenderedTempo(rendered, folder, {
      cgroups: cgroups[index]?.folders,
      version: context.version,
      workload: pod.workload.metadata.name,
      env: storeEnvironment(shared.storage.trace, store),
      host: hosts[index]!,
      podName: pod.name,
      keepPorts: true,
      timeoutMs: 150_000,
      adjust: (config) => {
        config.ingest.kafka.address = broker.address;
        config.memberlist.join_members = gossipers.map((peer) => `${peer}:${config.memberlist.bind_port}`);
        if (config.querier?.frontend_worker?.frontend_address) config.querier.frontend_worker.frontend_address = mapped(config.querier.frontend_worker.frontend_address);
        if (config.backend_worker?.backend_scheduler_addr) config.backend_worker.backend_scheduler_addr = mapped(config.backend_worker.backend_scheduler_addr);
        onEmulatedStore(config, store);
        shortenedForTest(config, context.soak);
      },
    });
  };
  const folders = pods.map(() => context.makeFolder('e2e-tempo-'));
  const started = await startPods(context, pods.map((_, index) => ({ host: hosts[index]!, folder: folders[index]!, start: launch(index) }))).catch((error: Error) => {
    for (const cgroup of cgroups) cgroup.remove();
    throw error;
  });
  // Each pod as the failure scenarios handle it: killed as a crash kills it, started again on its volume or on an empty one.
  const handles: PodHandle[] = pods.map((pod, index) => {
    const handle: PodHandle = {
      name: pod.name,
      component: pod.labels['app.kubernetes.io/component']!,
      process: started[index]!,
      cgroup: cgroups[index],
      kill: () => handle.process.kill(),
      start: async ({ emptyVolume } = {}) => {
        if (emptyVolume) folders[index] = context.makeFolder('e2e-tempo-');
        handle.process = await launch(index)(folders[index]!);
      },
    };
    return handle;
  });
  // Stopped at the end of the run, whichever process each pod runs by then.
  context.running.push({
    url: '',
    stop: async () => {
      await Promise.all(handles.map((handle) => handle.process.stop()));
      for (const cgroup of cgroups) cgroup.remove();
    },
  });
  const of = (component: string) => handles.filter((handle) => handle.component === component);
  const distributor = of('distributor')[0];
  const frontend = of('query-frontend')[0];
  if (!distributor || !frontend) throw new Error('the rendering runs no distributor or no query-frontend');
  return { receivers: distributor.process.receivers, query: frontend.process, config: distributor.process.config, resolve, logs: () => logsOf(handles.map((handle) => handle.process)), pods: handles };
}

/** What a failure scenario showed: whether it held, and what was seen. */
export interface FailureResult {
  scenario: string;
  ok: boolean;
  detail: string;
}

/** A block's meta.json, as Tempo writes it into the object store. */
interface BlockMeta {
  blockID: string;
  startTime: string;
  endTime: string;
  totalObjects: number;
  /** 0 for a block as the block-builder wrote it; compaction makes higher levels. */
  compactionLevel: number;
}

/** What the failure scenarios send and read, through the release's own entry points. */
interface ReleaseTraffic {
  /** Sends a trace with this ID; whether it was acknowledged. */
  send(traceId: string): Promise<boolean>;
  /** GET a path of the query API: its status and body. */
  query(pathAndQuery: string): Promise<{ status: number; body: string }>;
  /** The blocks in the object store: each block's meta.json. */
  blocks(): BlockMeta[];
  log(line: string): void;
}

/**
 * The failures a distributed release must survive, run on its processes (test/e2e.test.ts runs them in
 * CI; docs/distributed.md says what they showed): a live-store killed as a crash kills it and started
 * again on its volume, then on an empty one, loses no acknowledged trace; with two zones or more,
 * reads go on while a whole zone is down; and block-builders killed meanwhile still get every span
 * into a block in the object store.
 */
async function failureScenarios(pods: PodHandle[], traffic: ReleaseTraffic): Promise<FailureResult[]> {
  const results: FailureResult[] = [];
  const acknowledged: string[] = [];
  /** New traces, each sent until acknowledged (a distributor refuses writes while a partition has no active live-store). */
  const sendNew = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const traceId = newTraceId();
      if (await eventually(async () => ((await traffic.send(traceId)) ? true : undefined), 60_000, 'an acknowledged write').catch(() => false)) ids.push(traceId);
    }
    acknowledged.push(...ids);
    return ids;
  };
  /** The IDs not read back by ID within the time given. */
  const unread = async (ids: string[], timeoutMs: number): Promise<string[]> => {
    const missing = new Set(ids);
    await eventually(async () => {
      for (const id of [...missing]) if ((await traffic.query(`/api/traces/${id}`)).status === 200) missing.delete(id);
      return missing.size === 0 ? true : undefined;
    }, timeoutMs, 'every trace by ID').catch(() => undefined);
    return [...missing];
  };
  const scenario = async (name: string, run: () => Promise<string | undefined>) => {
    traffic.log(`failure scenario: ${name}`);
    try {
      const problem = await run();
      results.push({ scenario: name, ok: problem === undefined, detail: problem ?? 'held' });
    } catch (error) {
      results.push({ scenario: name, ok: false, detail: (error as Error).message.split('\n')[0]! });
    }
  };
  /**
   * Every block-builder killed, traces sent meanwhile (and while `alsoDown` is down), the block-builders
   * started again: the blocks written since hold every one of those traces, within the time they were
   * sent (each trace one object of a block's meta.json; blocks as the block-builders wrote them, not
   * compacted ones, which hold earlier traces too).
   */
  const blockBuildersKilled = async (alsoDown?: string): Promise<string | undefined> => {
    await Promise.all(blockBuilders.map((pod) => pod.kill()));
    const before = new Set(traffic.blocks().map((meta) => `${meta.blockID}/${meta.endTime}`));
    const from = Date.now() - 1_000;
    const sent = await sendNew(3);
    const to = Date.now() + 1_000;
    if (sent.length < 3) return `writes were refused while the block-builders${alsoDown ? ` and ${alsoDown}` : ''} were down`;
    await Promise.all(blockBuilders.map((pod) => pod.start()));
    const inWindow = () => traffic.blocks().filter((meta) => meta.compactionLevel === 0 && !before.has(`${meta.blockID}/${meta.endTime}`) && Date.parse(meta.startTime) <= to && Date.parse(meta.endTime) >= from);
    const held = await eventually(async () => (inWindow().reduce((sum, meta) => sum + meta.totalObjects, 0) >= sent.length ? true : undefined), 90_000, 'the blocks of the traces sent meanwhile').catch(() => false);
    return held ? undefined : `the blocks written after the block-builders came back hold ${inWindow().reduce((sum, meta) => sum + meta.totalObjects, 0)} of the ${sent.length} traces sent while they were down`;
  };
  const liveStores = pods.filter((pod) => pod.component.startsWith('live-store'));
  const zones = [...new Set(liveStores.map((pod) => pod.component))];
  const blockBuilders = pods.filter((pod) => pod.component === 'block-builder');
  await sendNew(2);
  for (const emptyVolume of [false, true]) {
    await scenario(`a live-store killed and started again on ${emptyVolume ? 'an empty volume' : 'its volume'} loses nothing acknowledged`, async () => {
      const victim = liveStores[0]!;
      await victim.kill();
      // Writes go on meanwhile: the spans wait in Kafka for the live-store's partition.
      const during = await sendNew(2);
      if (during.length < 2) return 'writes were refused while the live-store was down';
      await victim.start({ emptyVolume });
      const missing = await unread(acknowledged, 60_000);
      return missing.length > 0 ? `${missing.length} of ${acknowledged.length} acknowledged traces not read back: ${missing.join(', ')}` : undefined;
    });
  }
  if (zones.length >= 2) {
    await scenario('with one zone of live-stores down, reads go on; block-builders killed meanwhile still get every span into a block', async () => {
      const zone = liveStores.filter((pod) => pod.component === zones[0]);
      await Promise.all(zone.map((pod) => pod.kill()));
      const missing = await unread(acknowledged, 30_000);
      if (missing.length > 0) return `with ${zones[0]} down, ${missing.length} of ${acknowledged.length} traces were not read back by ID`;
      const search = await traffic.query('/api/search?limit=50');
      if (search.status !== 200) return `with ${zones[0]} down, search answered ${search.status}`;
      const problem = await blockBuildersKilled('a zone');
      await Promise.all(zone.map((pod) => pod.start()));
      return problem;
    });
  } else {
    await scenario('block-builders killed and started again still get every span into a block', () => blockBuildersKilled());
  }
  return results;
}

/** The gateway of a rendering, run by nginx in front of the release: its Services' addresses become the release's loopback ones. */
interface HelmTestRun {
  /** Whether the script passed, and the end of what it printed. */
  result: Promise<{ ok: boolean; output: string }>;
  /** Stops the script if it still runs. */
  stop(): void;
}

/**
 * The release's helm test, as its hook Pod would run it: the rendered script, by sh and curl, with the
 * Pod's environment (its Secret's credentials decoded from the rendering) and each Service address it
 * names mapped to loopback (the gateway's to the gateway started here). Undefined without the hook.
 */
function startHelmTest(rendered: Rendered, release: StartedRelease, gatewayUrl: string | undefined, folder: string): HelmTestRun | undefined {
  const pod = rendered.documents.find((doc) => doc.kind === 'Pod' && doc.metadata.annotations?.['helm.sh/hook'] === 'test');
  if (!pod) return undefined;
  const script = rendered.documents.find((doc) => doc.kind === 'ConfigMap' && doc.data?.['test.sh'])!.data['test.sh'] as string;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const variable of pod.spec.containers[0].env as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>) {
    if (variable.valueFrom) {
      const { name, key } = variable.valueFrom.secretKeyRef;
      const secret = rendered.documents.find((doc) => doc.kind === 'Secret' && doc.metadata.name === name);
      if (!secret?.data?.[key]) throw new Error(`the helm test reads ${variable.name} from Secret ${name}, which the rendering does not hold`);
      env[variable.name] = Buffer.from(secret.data[key], 'base64').toString('utf8');
    } else {
      env[variable.name] = variable.value ?? '';
    }
  }
  for (const name of ['TEMPO_URL', 'OTLP_URL']) {
    const url = new URL(env[name]!);
    const target = release.resolve(url.hostname, Number(url.port));
    if (target) env[name] = `http://${target}`;
    else if (gatewayUrl) env[name] = gatewayUrl;
    else throw new Error(`the helm test calls ${env[name]}, which no listener here answers`);
  }
  const file = path.join(folder, 'test.sh');
  writeFileSync(file, script);
  const child = spawn('sh', [file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const result = new Promise<{ ok: boolean; output: string }>((resolve) => {
    // The script keeps to its own time limit for each step; this bounds the whole.
    const timer = setTimeout(() => child.kill('SIGKILL'), (Number(env.TIMEOUT_SECONDS) + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: output.trim().split('\n').slice(-12).join('\n') });
    });
  });
  return { result, stop: () => child.kill('SIGKILL') };
}

async function startGateway(rendered: Rendered, release: StartedRelease, folder: string): Promise<{ nginx: Running; httpUrl: string; grpcEndpoint?: string }> {
  if (!runsWith('nginx')) throw new Error('the gateway is on, and nginx is not installed here');
  // nginx started as root runs its workers as nobody, who must read the files.
  chmodSync(folder, 0o755);
  const gateway = rendered.documents.find((doc) => doc.kind === 'ConfigMap' && doc.data?.['nginx.conf'])!;
  const secret = rendered.documents.find((doc) => doc.kind === 'Secret' && doc.data?.['.htpasswd'])!;
  writeFileSync(path.join(folder, '.htpasswd'), Buffer.from(secret.data['.htpasswd'], 'base64').toString('utf8'), { mode: 0o644 });
  const ports: Record<string, number> = {};
  let config = gateway.data['nginx.conf'] as string;
  // Each Service address nginx proxies to: Tempo's listener of that port, on loopback.
  config = config.replace(/(https?|grpc):\/\/([a-z0-9.-]+\.svc):(\d+)/g, (_match, scheme: string, host: string, port: string) => {
    const target = release.resolve(host, Number(port));
    if (!target) throw new Error(`nginx.conf proxies to ${host}:${port}, which no Tempo listener here binds`);
    return `${scheme}://${target}`;
  });
  for (const match of config.matchAll(/listen (\d+)( http2)?;/g)) ports[match[1]!] = await freePort();
  config = config.replace(/listen (\d+)( http2)?;/g, (_match, port: string, http2: string | undefined) => `listen 127.0.0.1:${ports[port]}${http2 ?? ''};`);
  config = config.replaceAll(' /tmp/', ` ${folder}/`).replace(/\/etc\/nginx\/secrets\/\.htpasswd/g, path.join(folder, '.htpasswd'));
  const configFile = path.join(folder, 'nginx.conf');
  writeFileSync(configFile, config, { mode: 0o644 });
  const check = spawnSync('nginx', ['-t', '-q', '-e', 'stderr', '-p', folder, '-c', configFile], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'ignore', 'pipe'] });
  if (check.status !== 0) throw new Error(`nginx -t refuses the rendered gateway configuration:\n${check.stderr}`);
  const [httpPort, grpcPort] = Object.values(ports);
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const nginx = await startNginx(configFile, folder, `${httpUrl}/healthz`);
  return { nginx, httpUrl, ...(grpcPort ? { grpcEndpoint: `127.0.0.1:${grpcPort}` } : {}) };
}

/** Helm's -f, --values and --set, as the runner takes them. */
function parseArguments(argv: string[]): { files: string[]; set: string[]; failures: boolean; helmTest: boolean; soak?: string } {
  const files: string[] = [];
  const set: string[] = [];
  let failures = false;
  let helmTest = false;
  let soak: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const [flag, inline] = argv[index]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? argv[(index += 1)];
    if (flag === '-f' || flag === '--values') files.push(value()!);
    else if (flag === '--set') set.push(value()!);
    else if (flag === '--failures') failures = true;
    else if (flag === '--helm-test') helmTest = true;
    else if (flag === '--soak') soak = value();
    else throw new Error(`npm run e2e takes -f FILE and --set KEY=VALUE (as Helm does), --failures, --helm-test and --soak DURATION, not ${argv[index]}`);
  }
  return { files, set, failures, helmTest, soak };
}

/** The values as Helm merges them: the files in order, then each --set (a plain KEY=VALUE). */
function givenValues(files: string[], set: string[]): Json {
  const values = files.reduce<Json>((merged, file) => helmMerge(merged, YAML.parse(readFileSync(file, 'utf8')) ?? {}), {});
  for (const assignment of set) {
    const [key, raw] = assignment.split(/=(.*)/s, 2) as [string, string];
    setAt(values, key, YAML.parse(raw ?? ''));
  }
  return values;
}

async function main(): Promise<number> {
  const scratch = scratchFolders();
  try {
    const { files, set, failures, helmTest, soak } = parseArguments(process.argv.slice(2));
    const text = await renderText(helmRelease('helm4'), { valuesFiles: files.map((file) => path.resolve(file)), set, tests: helmTest });
    const documents = YAML.parseAllDocuments(text).map((doc) => doc.toJS() as Manifest | null).filter((doc): doc is Manifest => doc !== null);
    const summary = await runRendered(new Rendered(documents), { values: givenValues(files, set), makeFolder: scratch.make, log: (line) => console.error(line), failures, helmTest, soak });
    for (const problem of summary.problems) console.error(`problem: ${problem}`);
    // A soak that ran to its end is recorded, whatever it showed: the table says what fell short.
    if (summary.soak) appendDistributedSoak(distributedSoakRecord(summary.soak, { documents, values: files.map((file) => path.relative(process.cwd(), path.resolve(file))), set }));
    console.log(JSON.stringify(summary));
    return summary.ok ? 0 : 1;
  } catch (error) {
    console.log(JSON.stringify({ ok: false, problems: [(error as Error).message] }));
    return 1;
  } finally {
    scratch.removeAll();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
