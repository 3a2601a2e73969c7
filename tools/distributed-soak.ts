import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageVersion, paths } from '../build/paths.ts';
import { distributedSoaksFile, readDistributedSoaks, type DistributedSoakRecord, type SoakedPodFigures } from '../build/soaks.ts';
import { quantityValue } from '../build/sizing.ts';
import type { Manifest } from '../test/helpers/helm.ts';
import { eventually, type TempoProcess } from '../test/helpers/tempo.ts';
import { memoryNow } from './soak.ts';

/**
 * A saturation soak of a distributed release on loopback (npm run e2e -- --soak DURATION): every Tempo
 * process inside a cgroup with its container's memory limit (and CPU quota, where it has a CPU limit),
 * as the kubelet confines a pod; the reference material's load generator (shared/load) offering far
 * more than the release takes, through every distributor; each cgroup's working set sampled every
 * second. It takes the machine for the whole run: never in CI or tests.
 */

const cgroupRoot = '/sys/fs/cgroup';
const mebibyte = 2 ** 20;

/** What the soak offers: the soak tool's saturating load for a single pod, split over the distributors. */
const offeredSpansPerSecond = 20_000;
const loadWorkers = 32;
/** Sampled acknowledged traces read back by ID after the load, as the single-pod soak reads them. */
const readBackSample = 40;

/** The cgroups a pod's process runs in: its container's memory limit, and CPU quota where it has one. */
export interface PodCgroup {
  /** The cgroup folders the process's PID is written into as it starts. */
  folders: string[];
  memoryLimitMiB: number;
  cpuLimitCores?: number;
  /** Memory now: working set (usage less inactive page cache, the kubelet's figure) and anonymous memory, in MiB. */
  memory(): { workingSetMiB: number; rssMiB: number } | undefined;
  oomKills(): number;
  /** Removes the cgroups once their processes have exited. */
  remove(): void;
}

/** Whether this machine can confine processes as the soak needs: cgroup v1 memory and cpu controllers, writable (root). */
export function canConfine(): boolean {
  try {
    const probe = path.join(cgroupRoot, 'memory', `tempo-e2e-probe-${process.pid}`);
    mkdirSync(probe);
    rmdirSync(probe);
    return existsSync(path.join(cgroupRoot, 'cpu', 'cpu.cfs_quota_us'));
  } catch {
    return false;
  }
}

/** Creates the cgroups of one pod, named after the runner and the pod, with the limits of its container's `resources`. */
export function podCgroup(podName: string, resources: { limits?: Record<string, string> } | undefined): PodCgroup {
  const memoryLimit = resources?.limits?.memory;
  if (!memoryLimit) throw new Error(`--soak confines each pod to its memory limit: ${podName} has none`);
  const name = `tempo-e2e-${process.pid}-${podName}`;
  const memory = path.join(cgroupRoot, 'memory', name);
  mkdirSync(memory);
  writeFileSync(path.join(memory, 'memory.limit_in_bytes'), String(quantityValue(memoryLimit)));
  const folders = [memory];
  const cpuLimit = resources?.limits?.cpu;
  if (cpuLimit) {
    const cpu = path.join(cgroupRoot, 'cpu', name);
    mkdirSync(cpu);
    const period = 100_000;
    writeFileSync(path.join(cpu, 'cpu.cfs_period_us'), String(period));
    writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), String(Math.round(quantityValue(cpuLimit) * period)));
    folders.push(cpu);
  }
  return {
    folders,
    memoryLimitMiB: quantityValue(memoryLimit) / mebibyte,
    cpuLimitCores: cpuLimit ? quantityValue(cpuLimit) : undefined,
    memory: () => memoryNow(memory),
    oomKills: () => Number(/oom_kill (\d+)/.exec(readFileSync(path.join(memory, 'memory.oom_control'), 'utf8'))?.[1] ?? 0),
    remove: () => {
      for (const folder of folders) {
        try {
          rmdirSync(folder);
        } catch {
          // Still holding a process that did not exit: the cgroup goes with the machine.
        }
      }
    },
  };
}

/** One pod of the soaked release. */
export interface SoakedPod {
  name: string;
  component: string;
  process: () => TempoProcess;
  cgroup: PodCgroup;
}

/** What the soak showed, per pod and for the release. */
export interface SoakResult {
  for: string;
  offeredSpansPerSecond: number;
  acceptedSpansPerSecond: number;
  requestsFailed: number;
  /** Sampled acknowledged traces read back by ID through the query path after the load, and the IDs that were not. */
  found: { found: number; of: number };
  missing: string[];
  /** Of those, the ones not read back either once the block-builders' cycle after the load wrote its blocks (filled in by the runner). */
  missingInBlocks?: string[];
  /** Spans Tempo counted as discarded, by reason, over every pod (tempo_discarded_spans_total). */
  discardedSpans: Record<string, number>;
  pods: SoakedPodFigures[];
}

/** The load generator of the reference material (shared/load), unpacked: a development checkout's, never the chart's. */
function loadGenerator(): string {
  const unpack = path.join(paths.root, '..', 'shared', 'load', 'bin', 'unpack.sh');
  if (!existsSync(unpack)) throw new Error('--soak needs the load generator of ../shared/load (a development checkout)');
  return execFileSync(unpack, { encoding: 'utf8' }).trim();
}

/** Go's duration text of the soak (420s, 7m) in seconds. */
function seconds(duration: string): number {
  const match = /^(\d+)(s|m)$/.exec(duration);
  if (!match) throw new Error(`--soak takes a duration in seconds or minutes (420s, 7m), not ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

/**
 * Saturates the release for `duration` through its distributors' OTLP/gRPC receivers and reports what
 * each pod's cgroup held. `query` reads the query path (the query-frontend).
 */
export async function saturationSoak(pods: SoakedPod[], options: { duration: string; distributors: string[]; query: (pathAndQuery: string) => Promise<{ status: number }>; log: (line: string) => void; folder: string }): Promise<SoakResult> {
  const duration = seconds(options.duration);
  const load = loadGenerator();
  const peaks = new Map(pods.map((pod) => [pod.name, { workingSetMiB: 0, rssMiB: 0, ready: { ok: 0, of: 0 } }]));
  const sampler = setInterval(() => {
    for (const pod of pods) {
      const now = pod.cgroup.memory();
      const peak = peaks.get(pod.name)!;
      if (!now) continue;
      peak.workingSetMiB = Math.max(peak.workingSetMiB, now.workingSetMiB);
      peak.rssMiB = Math.max(peak.rssMiB, now.rssMiB);
    }
  }, 1_000);
  const readiness = setInterval(() => {
    for (const pod of pods) {
      const peak = peaks.get(pod.name)!;
      void fetch(`${pod.process().url}/ready`, { signal: AbortSignal.timeout(3_000) }).then((answer) => answer.status, () => 0).then((status) => {
        peak.ready.of += 1;
        if (status === 200) peak.ready.ok += 1;
      });
    }
  }, 5_000);
  options.log(`soak: ${offeredSpansPerSecond} spans/s offered for ${options.duration} through ${options.distributors.length} distributor(s)`);
  const perDistributor = Math.ceil(offeredSpansPerSecond / options.distributors.length);
  const workers = Math.max(1, Math.ceil(loadWorkers / options.distributors.length));
  const idsFiles = options.distributors.map((_, index) => path.join(options.folder, `ids-${index}.txt`));
  const outputs = await Promise.all(options.distributors.map((address, index) => new Promise<string>((resolve, reject) => {
    execFile(load, ['-addr', address, '-spans', String(perDistributor), '-for', `${duration}s`, '-workers', String(workers), '-ids', idsFiles[index]!], { encoding: 'utf8', timeout: (duration + 120) * 1000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  })));
  // Each consumer's lag as the load stops (how far the live-stores and block-builders are behind), and what every pod discarded.
  const lags = new Map<string, number>();
  const discardedSpans: Record<string, number> = {};
  for (const pod of pods) {
    const text = await fetch(`${pod.process().url}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((answer) => answer.text(), () => '');
    const values = [...text.matchAll(/^tempo_ingest_group_partition_lag_seconds(?:\{[^}]*\})? ([0-9.e+-]+)$/gm)].map((match) => Number(match[1]));
    if (values.length > 0) lags.set(pod.name, Math.max(...values));
    for (const match of text.matchAll(/^tempo_discarded_spans_total\{([^}]*)\} ([0-9.e+-]+)$/gm)) {
      const reason = /reason="([^"]*)"/.exec(match[1]!)?.[1] ?? 'unknown';
      discardedSpans[reason] = (discardedSpans[reason] ?? 0) + Number(match[2]);
    }
  }
  clearInterval(readiness);
  const results = outputs.map((output) => JSON.parse(output.trim().split('\n').pop()!) as { spans_ok: number; requests_failed: number });
  const ids = idsFiles.flatMap((file) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []));
  const sample = ids.filter((_, index) => index % Math.max(1, Math.floor(ids.length / readBackSample)) === 0).slice(0, readBackSample);
  options.log(`soak: load done; reading back ${sample.length} sampled acknowledged traces`);
  // The live-stores may still be catching up with the topic: each trace gets up to 2 minutes in all.
  const missing = new Set(sample);
  await eventually(async () => {
    for (const id of [...missing]) if ((await options.query(`/api/traces/${id}`).catch(() => ({ status: 0 }))).status === 200) missing.delete(id);
    return missing.size === 0 ? true : undefined;
  }, 120_000, 'the sampled traces by ID').catch(() => undefined);
  clearInterval(sampler);
  return {
    for: options.duration,
    offeredSpansPerSecond: perDistributor * options.distributors.length,
    acceptedSpansPerSecond: Math.round(results.reduce((sum, result) => sum + result.spans_ok, 0) / duration),
    requestsFailed: results.reduce((sum, result) => sum + result.requests_failed, 0),
    found: { found: sample.length - missing.size, of: sample.length },
    missing: [...missing],
    discardedSpans,
    pods: pods.map((pod) => {
      const peak = peaks.get(pod.name)!;
      return {
        name: pod.name,
        component: pod.component,
        memoryLimitMiB: pod.cgroup.memoryLimitMiB,
        ...(pod.cgroup.cpuLimitCores === undefined ? {} : { cpuLimitCores: pod.cgroup.cpuLimitCores }),
        peakWorkingSetMiB: Math.round(peak.workingSetMiB),
        peakRssMiB: Math.round(peak.rssMiB),
        oomKills: pod.cgroup.oomKills(),
        readySamples: peak.ready,
        ...(lags.has(pod.name) ? { lagSecondsAtEnd: Math.round(lags.get(pod.name)!) } : {}),
      };
    }),
  };
}

/**
 * A digest of what the chart renders for a release's Tempo pods: its Tempo configuration files, and
 * each Tempo container's resources, environment and arguments. A recorded soak stands only for the
 * rendering it soaked; a test compares this digest with today's.
 */
export function distributedRenderingDigest(documents: Manifest[]): string {
  const configs = documents.filter((doc) => doc.kind === 'ConfigMap' && !doc.metadata?.annotations?.['helm.sh/hook']).map((doc) => doc.data);
  const containers = documents
    .filter((doc) => doc.kind === 'Deployment' || doc.kind === 'StatefulSet')
    .flatMap((doc) => (doc.spec.template.spec.containers as Manifest[]).filter((container) => container.name === 'tempo').map((container) => ({ workload: doc.metadata.name, resources: container.resources, env: container.env, args: container.args })));
  return createHash('sha256').update(JSON.stringify({ configs, containers })).digest('hex').slice(0, 16);
}

/** The record of a soak for build/sizing/distributed-soaks.json. */
export function distributedSoakRecord(result: SoakResult, context: { documents: Manifest[]; values: string[]; set: string[] }): DistributedSoakRecord {
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    chartVersion: packageVersion(),
    rendering: distributedRenderingDigest(context.documents),
    values: context.values,
    set: context.set,
    for: result.for,
    offeredSpansPerSecond: result.offeredSpansPerSecond,
    acceptedSpansPerSecond: result.acceptedSpansPerSecond,
    requestsFailed: result.requestsFailed,
    found: result.found,
    lostTraces: result.missingInBlocks?.length ?? result.missing.length,
    discardedSpans: result.discardedSpans,
    pods: result.pods,
  };
}

/** Appends a record to build/sizing/distributed-soaks.json. */
export function appendDistributedSoak(record: DistributedSoakRecord): void {
  writeFileSync(distributedSoaksFile, `${JSON.stringify([...readDistributedSoaks(), record], null, 2)}\n`);
}
