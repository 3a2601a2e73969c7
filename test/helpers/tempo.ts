import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import YAML from 'yaml';
import { paths } from '../../build/paths.ts';
import type { Manifest, Rendered } from './helm.ts';
import { freePort } from './servers.ts';
import { tempoConfigOf, volumeFiles } from './tempo-config.ts';

type Json = Record<string, any>;

/**
 * Real Tempo for the tests: the binary of a version, and a Tempo started on loopback from what the chart
 * rendered (its configuration, arguments, environment and mounted files), with only its addresses,
 * ports and folders moved onto this machine.
 *
 * Binaries come from TEMPO_BIN_DIR (a folder of official release binaries, each named tempo-VERSION or
 * VERSION/tempo, as unpacked from tempo_VERSION_linux_amd64.tar.gz), else from the project's shared
 * reference material (../shared/tempo/bin/unpack.sh). Nothing of them goes into the chart.
 */

/** Where Tempo's configuration keeps the OTLP receivers: TempoProcess.receivers is keyed by these. */
export const otlpHttpKey = 'distributor.receivers.otlp.protocols.http';
export const otlpGrpcKey = 'distributor.receivers.otlp.protocols.grpc';

/** The Tempo version the chart's defaults deploy. */
export const designTempoVersion = '2.5.0';

const sharedUnpack = path.join(paths.root, '..', 'shared', 'tempo', 'bin', 'unpack.sh');

/** The path of a runnable Tempo of `version`, or undefined where none is provided. */
export function tempoBinary(version = designTempoVersion): string | undefined {
  const dir = process.env.TEMPO_BIN_DIR;
  if (dir) {
    for (const candidate of [path.join(dir, `tempo-${version}`), path.join(dir, version, 'tempo')]) if (existsSync(candidate)) return candidate;
  }
  if (!existsSync(sharedUnpack)) return undefined;
  try {
    return execFileSync(sharedUnpack, [version], { encoding: 'utf8', timeout: 120_000 }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether suites that run real Tempo run here: always on CI, where a missing binary then fails them;
 * elsewhere only where a binary is found. The skip message says how to provide one.
 */
export function runsWithTempo(version = designTempoVersion): boolean {
  if (process.env.CI) return true;
  if (tempoBinary(version)) return true;
  console.warn(`Skipping real-Tempo tests: no Tempo ${version}. Set TEMPO_BIN_DIR to a folder holding tempo-${version}, from Tempo's release archive tempo_${version}_linux_amd64.tar.gz.`);
  return false;
}

export interface TempoProcess {
  /** The HTTP API, as http://host:port. */
  url: string;
  /** host:port of each receiver listener the configuration enabled, by its Tempo key (distributor.receivers...). */
  receivers: Record<string, string>;
  /** The configuration Tempo was started with, after the move onto loopback. */
  config: Json;
  log(): string;
  /** SIGTERM, then SIGKILL once the grace period (stopTimeoutMs) is over: how the process ended. */
  stop(): Promise<StopOutcome>;
  /** SIGKILL at once, as a crash or an OOM kill ends a pod: nothing is written on the way out. */
  kill(): Promise<void>;
}

/** How a stopped Tempo ended: by itself, so many milliseconds after SIGTERM, or killed when the grace period ran out. */
export type StopOutcome = { exitedAfterMs: number; killed: false } | { killed: true };

export interface StartOptions {
  version?: string;
  /** The loopback address Tempo binds; several processes each take their own (127.0.0.2, ...). */
  host?: string;
  /**
   * Keep the rendered gossip port, as pods of one StatefulSet do, each on its own address; otherwise
   * gossip moves to a free port like every other listener.
   */
  keepGossipPort?: boolean;
  /**
   * Keep every rendered port (HTTP, gRPC, gossip, receivers), as pods do, each process on an address of
   * its own: the runner of architecture distributed, whose processes reach each other by the ports the
   * Services give.
   */
  keepPorts?: boolean;
  /** The pod's name, which Tempo takes as its instance ID in every ring (its hostname in Kubernetes). */
  podName?: string;
  /** Changes to the moved configuration, for what only a test needs (join members on loopback). */
  adjust?: (config: Json, ports: Record<string, number>) => void;
  /** Environment for ${VAR} references whose values come from Secrets the rendering does not hold. */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** The workload to run, by name; the chart's default fullname (tempo) unless told. */
  workload?: string;
  /** How long stop() waits after SIGTERM before SIGKILL, as a pod's termination grace period: 10 s unless told. */
  stopTimeoutMs?: number;
  /** cgroup v1 folders the process joins as it starts, to run within its container's limits (npm run e2e --soak). */
  cgroups?: string[];
}

/**
 * Starts the Tempo of a rendered workload (Rendered.workload) on loopback, as the pod would run it:
 * every file of its ConfigMap and Secret mounts is written under a folder of its own at the mount path,
 * every other mount becomes an empty folder there, and every path in the configuration and arguments is
 * moved with them. Resolves once /ready answers 200.
 */
export async function startRenderedTempo(rendered: Rendered, folder: string, options: StartOptions = {}): Promise<TempoProcess> {
  const podSpec = rendered.workload(options.workload).spec.template.spec;
  const found = tempoConfigOf(podSpec, rendered.documents);
  if (!found) throw new Error('the workload runs no Tempo with a rendered configuration');
  const { container } = found;
  const mounts: Json[] = container.volumeMounts ?? [];
  const moved = (text: string) => {
    for (const mount of [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length)) {
      const root = mount.mountPath.replace(/\/$/, '');
      if (text === root || text.startsWith(`${root}/`)) return path.join(folder, text);
    }
    return text;
  };
  for (const mount of mounts) {
    const target = path.join(folder, mount.mountPath);
    mkdirSync(target, { recursive: true });
    const volume = podSpec.volumes?.find((candidate: Json) => candidate.name === mount.name);
    for (const [name, content] of Object.entries(volumeFiles(volume, rendered.documents))) {
      if (mount.subPath && mount.subPath !== name) continue;
      writeFileSync(mount.subPath ? target : path.join(target, name), content);
    }
  }
  const host = options.host ?? '127.0.0.1';
  const config = mapStrings(found.config, moved);
  const ports = await loopbackPorts(config, host, options);
  options.adjust?.(config, ports);
  const configFile = path.join(folder, 'tempo-on-loopback.yaml');
  writeFileSync(configFile, YAML.stringify(config));
  const args = (container.args ?? []).map((arg: string) => (/^--?config\.file=/.test(arg) ? `-config.file=${configFile}` : arg.replace(/=(\/.*)$/, (_, value) => `=${moved(value)}`)));
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const variable of container.env ?? []) {
    if (typeof variable.value === 'string') env[variable.name] = variable.value;
    else if (variable.valueFrom?.secretKeyRef) env[variable.name] = volumeFiles({ secret: { secretName: variable.valueFrom.secretKeyRef.name } }, rendered.documents)[variable.valueFrom.secretKeyRef.key] ?? options.env?.[variable.name] ?? '';
  }
  Object.assign(env, options.env);
  const binary = tempoBinary(options.version);
  if (!binary) throw new Error(`no Tempo ${options.version ?? designTempoVersion}: set TEMPO_BIN_DIR`);
  const logFile = path.join(folder, 'tempo.log');
  const logFd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(binary, args, { env, cwd: folder, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  // At once, before it has grown: what it allocated before joining stays charged outside.
  for (const cgroup of options.cgroups ?? []) writeFileSync(path.join(cgroup, 'cgroup.procs'), String(child.pid));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const url = `http://${host}:${ports.http}`;
  const receivers = Object.fromEntries(Object.entries(ports).filter(([key]) => key.startsWith('distributor.')).map(([key, port]) => [key, `${host}:${port}`]));
  const running: TempoProcess = { url, receivers, config, log, stop: () => stopTempo(child, options.stopTimeoutMs), kill: () => killTempo(child) };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline && child.exitCode === null) {
    const status = await fetch(`${url}/ready`).then((response) => response.status, () => 0);
    if (status === 200) return running;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await running.stop();
  throw new Error(`Tempo did not become ready on ${url}:\n${log().slice(-4000)}`);
}

/**
 * Moves every listener of a Tempo configuration onto `host` and a free port of its own: the HTTP and
 * gRPC servers, each receiver endpoint, and gossip. Returns the ports by name (http, grpc, gossip) and
 * by receiver endpoint key.
 */
async function loopbackPorts(config: Json, host: string, options: StartOptions): Promise<Record<string, number>> {
  const keepGossipPort = options.keepGossipPort || options.keepPorts;
  const kept = (port: number | undefined, fallback: number) => (options.keepPorts ? (port ?? fallback) : freePort());
  const ports: Record<string, number> = { http: await kept(config.server?.http_listen_port, 3200), grpc: await kept(config.server?.grpc_listen_port, 9095), gossip: keepGossipPort ? (config.memberlist?.bind_port ?? 7946) : await freePort() };
  config.server = { ...config.server, http_listen_address: host, http_listen_port: ports.http, grpc_listen_address: host, grpc_listen_port: ports.grpc };
  config.memberlist = { ...config.memberlist, bind_addr: [host], bind_port: ports.gossip };
  if (!keepGossipPort && config.memberlist.advertise_port !== undefined) config.memberlist.advertise_port = ports.gossip;
  // Each process is a pod of its own: its own instance in every ring, where pods take their hostnames.
  // (From 3.0 on there is no ingester: a monolithic Tempo keeps its rings in memory.)
  if (config.ingester) config.ingester = { ...config.ingester, lifecycler: { ...config.ingester.lifecycler, address: host, id: host } };
  if (options.podName) {
    // Its pod's name, as Tempo takes its hostname in Kubernetes: a live-store's ends in the partition it owns.
    for (const ring of ['distributor', 'live_store', 'backend_worker', 'metrics_generator']) config[ring] = { ...config[ring], ring: { ...config[ring]?.ring, instance_id: options.podName, instance_addr: host } };
    config.block_builder = { ...config.block_builder, instance_id: options.podName };
    config.metrics_generator = { ...config.metrics_generator, instance_id: options.podName };
    config.memberlist = { ...config.memberlist, advertise_addr: host };
  } else if (config.target === 'scalable-single-binary') {
    config.distributor = { ...config.distributor, ring: { ...config.distributor?.ring, instance_id: host, instance_addr: host } };
    config.compactor = { ...config.compactor, ring: { ...config.compactor?.ring, instance_id: host, instance_addr: host } };
    if (config.metrics_generator) config.metrics_generator.ring = { ...config.metrics_generator.ring, instance_id: host, instance_addr: host };
  }
  for (const [name, receiver] of Object.entries<Json>(config.distributor?.receivers ?? {})) {
    const endpoints: [string, Json][] = receiver.protocols ? Object.entries<Json>(receiver.protocols).map(([protocol, settings]) => [`distributor.receivers.${name}.protocols.${protocol}`, settings]) : [[`distributor.receivers.${name}`, receiver]];
    for (const [key, settings] of endpoints) {
      if (typeof settings?.endpoint !== 'string') continue;
      ports[key] = options.keepPorts ? Number(settings.endpoint.split(':').pop()) : await freePort();
      settings.endpoint = `${host}:${ports[key]}`;
    }
  }
  if (typeof config.querier?.frontend_worker?.frontend_address === 'string' && !options.keepPorts) config.querier.frontend_worker.frontend_address = `${host}:${ports.grpc}`;
  return ports;
}

function mapStrings(node: unknown, map: (text: string) => string): any {
  if (typeof node === 'string') return map(node);
  if (Array.isArray(node)) return node.map((item) => mapStrings(item, map));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, mapStrings(value, map)]));
  return node;
}

/** SIGKILL, and the exit it causes. */
async function killTempo(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
}

/** SIGTERM, then SIGKILL after the grace period (10 s unless told), as the kubelet does. */
async function stopTempo(child: ChildProcess, graceMs = 10_000): Promise<StopOutcome> {
  if (child.exitCode !== null || child.signalCode !== null) return { exitedAfterMs: 0, killed: false };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const start = Date.now();
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
  if (child.exitCode !== null || (child.signalCode !== null && child.signalCode !== 'SIGKILL')) return { exitedAfterMs: Date.now() - start, killed: false };
  child.kill('SIGKILL');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  return { killed: true };
}

/** A rendered configuration with the pod's data folder (/var/tempo) moved to a folder of the test's. */
export const onLoopbackPaths = (config: object, folder: string) => JSON.parse(JSON.stringify(config).replaceAll('"/var/tempo', `"${folder}`));

/** `tempo -config.verify`: Tempo's own strict loader on a configuration (with the pod's other arguments: its -target); the exit code and what it said. */
export function verifyWithTempo(config: Json, folder: string, version = designTempoVersion, acceptedWarnings: RegExp[] = [], args: string[] = []): { ok: boolean; output: string } {
  const file = path.join(folder, `verify-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, YAML.stringify(config));
  try {
    const output = execFileSync(tempoBinary(version)!, [`-config.file=${file}`, ...args, '-config.verify=true'], { encoding: 'utf8', stdio: 'pipe', timeout: 30_000 });
    return { ok: true, output };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    const output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
    // -config.verify exits 1 on configuration warnings alone: a warning the caller knowingly renders
    // (a documented, deprecated layout) is no failure, any other is.
    const warnings = configurationWarnings(output);
    const knowing = warnings !== undefined && warnings.length > 0 && warnings.every((warning) => acceptedWarnings.some((accepted) => accepted.test(warning)));
    return { ok: knowing, output };
  }
}

/** The messages -config.verify printed under "-- CONFIGURATION WARNINGS --"; undefined when it printed none (it failed otherwise). */
export function configurationWarnings(output: string): string[] | undefined {
  const lines = output.split('\n');
  const header = lines.findIndex((line) => line.includes('msg="-- CONFIGURATION WARNINGS --"'));
  if (header < 0) return undefined;
  return lines.slice(header + 1).flatMap((line) => /msg="((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? []);
}

// ---- OTLP: traces encoded as protobuf by hand (the few fields a test needs), sent over HTTP and gRPC.

export interface TestSpan {
  /** 32 hex digits. */
  traceId: string;
  service: string;
  name: string;
  /** Bytes of padding in one attribute, to make requests of a chosen size. */
  padding?: number;
}

/** A random 32-hex-digit trace ID. */
export function newTraceId(): string {
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

/** An OTLP ExportTraceServiceRequest holding `spans`, one resource per service. */
export function otlpRequest(spans: TestSpan[]): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const byService = new Map<string, TestSpan[]>();
  for (const span of spans) byService.set(span.service, [...(byService.get(span.service) ?? []), span]);
  const resourceSpans = [...byService].map(([service, group]) =>
    field(1, Buffer.concat([
      field(1, field(1, keyValue('service.name', service))),
      field(2, Buffer.concat(group.map((span, index) => field(2, Buffer.concat([
        field(1, Buffer.from(span.traceId, 'hex')),
        field(2, Buffer.from(span.traceId.slice(0, 14) + index.toString(16).padStart(2, '0'), 'hex')),
        field(5, Buffer.from(span.name)),
        fixed64(7, now - 1_000_000n),
        fixed64(8, now),
        ...(span.padding ? [field(9, keyValue('padding', 'x'.repeat(span.padding)))] : []),
      ]))))),
    ])),
  );
  return Buffer.concat(resourceSpans);
}

/** POSTs an OTLP request to an OTLP/HTTP receiver (host:port); the HTTP status and body. */
export async function sendOtlpHttp(endpoint: string, request: Buffer, tenant?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://${endpoint}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', ...(tenant ? { 'x-scope-orgid': tenant } : {}) },
    body: new Uint8Array(request),
  });
  return { status: response.status, body: await response.text() };
}

/** Calls TraceService/Export on an OTLP/gRPC receiver (host:port) without TLS; the grpc-status and message. */
export async function sendOtlpGrpc(endpoint: string, request: Buffer, tenant?: string): Promise<{ grpcStatus: number; message: string }> {
  const answer = await grpcCall(`http://${endpoint}`, '/opentelemetry.proto.collector.trace.v1.TraceService/Export', request, { headers: tenant ? { 'x-scope-orgid': tenant } : {} });
  if ('error' in answer) throw new Error(answer.error);
  return { grpcStatus: answer.grpcStatus ?? -1, message: answer.message };
}

/**
 * One gRPC call over HTTP/2 (https:// with the CA `ca`, or http://): the grpc-status and message the
 * server ends with (no status when it ends the stream without one), or the error that stopped the call,
 * within `timeoutMs`.
 */
export async function grpcCall(
  url: string,
  method: string,
  message: Buffer,
  options: { ca?: Buffer; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ grpcStatus: number | undefined; message: string } | { error: string }> {
  const session = http2.connect(url, options.ca ? { ca: options.ca } : {});
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ error: `no answer within ${options.timeoutMs ?? 5_000} ms` }), options.timeoutMs ?? 5_000);
      const done = (result: { grpcStatus: number | undefined; message: string } | { error: string }) => {
        clearTimeout(timer);
        resolve(result);
      };
      session.once('error', (error) => done({ error: error.message }));
      const stream = session.request({ ':method': 'POST', ':path': method, 'content-type': 'application/grpc', te: 'trailers', ...options.headers });
      let headers: http2.IncomingHttpHeaders = {};
      stream.on('response', (received) => (headers = received));
      stream.on('trailers', (trailers) => (headers = { ...headers, ...trailers }));
      stream.on('data', () => undefined);
      stream.on('error', (error) => done({ error: error.message }));
      stream.on('end', () => {
        const status = headers['grpc-status'];
        done({ grpcStatus: status === undefined ? undefined : Number(status), message: decodeURIComponent(String(headers['grpc-message'] ?? '')) });
      });
      const frame = Buffer.alloc(5);
      frame.writeUInt32BE(message.length, 1);
      stream.end(Buffer.concat([frame, message]));
    });
  } finally {
    session.destroy();
  }
}

/** GET a path of Tempo's HTTP API, with a tenant when given; the status and body. */
export async function tempoGet(tempo: TempoProcess, pathAndQuery: string, tenant?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${tempo.url}${pathAndQuery}`, { headers: tenant ? { 'x-scope-orgid': tenant } : {} });
  return { status: response.status, body: await response.text() };
}

/** The overrides Tempo applies to a tenant, from /status/overrides/TENANT (runtime overrides, else the defaults). */
export async function tenantOverrides(tempo: TempoProcess, tenant: string): Promise<{ source: string; overrides: Json }> {
  const { body } = await tempoGet(tempo, `/status/overrides/${tenant}`);
  const runtime = body.slice(body.indexOf('<h3>Runtime overrides</h3>'));
  const source = /Source of runtime overrides: <strong>([^<]*)<\/strong>/.exec(runtime)?.[1] ?? '';
  const code = /<pre><code>([\s\S]*?)<\/code><\/pre>/.exec(runtime)?.[1] ?? '';
  const unescaped = code.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return { source, overrides: (YAML.parse(unescaped) ?? {}) as Json };
}

/** Prometheus text from Tempo's /metrics: each sample's metric name (without labels) and its samples. */
export async function tempoMetrics(tempo: TempoProcess): Promise<Map<string, string[]>> {
  const { body } = await tempoGet(tempo, '/metrics');
  const samples = new Map<string, string[]>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0];
    samples.set(name, [...(samples.get(name) ?? []), line]);
  }
  return samples;
}

/** Polls `check` every 500 ms until it returns a value, within `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check().catch(() => undefined);
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function varint(value: number | bigint): Buffer {
  let rest = BigInt(value);
  const bytes: number[] = [];
  while (rest > 127n) {
    bytes.push(Number(rest & 127n) | 128);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Buffer.from(bytes);
}

/** A length-delimited protobuf field. */
function field(number: number, content: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(content.length), content]);
}

function fixed64(number: number, value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return Buffer.concat([varint((number << 3) | 1), bytes]);
}

/** A KeyValue with a string AnyValue. */
function keyValue(key: string, value: string): Buffer {
  return Buffer.concat([field(1, Buffer.from(key)), field(2, field(1, Buffer.from(value)))]);
}
