import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { paths } from './paths.ts';

/**
 * build/sizing/soaks.json: every saturation soak of the chart's rendering on a real Tempo, appended by
 * `npm run soak` (tools/soak.ts). It is the one source of what a pod was measured to hold: the benchmark
 * reports from it, the sizing page's soak table is generated from it, and a test holds each series'
 * default rendering to the bar below.
 */
export interface SoakRecord {
  date: string;
  machine: string;
  release: string;
  /** The values given on top of the image tag (--set), as helm takes them: empty for the defaults. */
  set: string[];
  for: string;
  /** The chart version soaked, and a digest of what it rendered for the pod (see renderingDigest). */
  chartVersion?: string;
  rendering?: string;
  alive: boolean;
  oomKills: number;
  /** /ready samples that answered 200, of all samples (every 15 s). */
  readySamples: { ok: number; of: number };
  /** Sampled acknowledged traces read back by ID. */
  found: { found: number; of: number };
  /** The cgroup's peak usage, page cache included: the kernel reclaims that cache before it kills, so it reaches the limit whenever Tempo writes enough. */
  peakMemoryMiB: number;
  /** Sampled every second: the peak working set (usage less inactive page cache, what the kubelet counts) and the anonymous memory in it. */
  peakWorkingSetMiB?: number;
  peakRssMiB?: number;
  memoryLimitMiB: number;
  acceptedSpansPerSecond: number;
  /** Spans Tempo counted as discarded after the load, by reason (some after the distributor acknowledged them). */
  discardedSpans?: Record<string, number>;
}

export const soaksFile = path.join(paths.root, 'build', 'sizing', 'soaks.json');

/** The bar a pod must clear at saturation: the share of its memory limit its working set may reach. */
export const workingSetShareAtMost = 0.9;

export function readSoaks(file = soaksFile): SoakRecord[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SoakRecord[]) : [];
}

/**
 * What keeps a soak from clearing the bar, in words (none: it held): alive to the end with no OOM kill,
 * /ready at every sample, every sampled acknowledged trace read back, and the working set at most 90 %
 * of the memory limit.
 */
export function soakShortfalls(record: SoakRecord): string[] {
  const shortfalls: string[] = [];
  if (!record.alive) shortfalls.push('not alive at the end');
  if (record.oomKills > 0) shortfalls.push(`${record.oomKills} OOM kill(s)`);
  if (record.readySamples.ok < record.readySamples.of) shortfalls.push(`/ready answered ${record.readySamples.ok} of ${record.readySamples.of} samples`);
  if (record.found.found < record.found.of || record.found.of === 0) shortfalls.push(`${record.found.found} of ${record.found.of} sampled acknowledged traces found`);
  if (record.peakWorkingSetMiB === undefined) shortfalls.push('no working-set figure (soaked before it was sampled)');
  else if (record.peakWorkingSetMiB > workingSetShareAtMost * record.memoryLimitMiB) {
    shortfalls.push(`working set peaked at ${record.peakWorkingSetMiB} of ${record.memoryLimitMiB} MiB, over ${Math.round(workingSetShareAtMost * 100)} %`);
  }
  return shortfalls;
}

/** A soak's length in words: 420s is "7-minute". */
export function soakLength(record: SoakRecord): string {
  const match = /^(\d+(?:\.\d+)?)(s|m)$/.exec(record.for);
  if (!match) return record.for;
  const minutes = Number(match[1]) / (match[2] === 's' ? 60 : 1);
  return Number.isInteger(minutes) ? `${minutes}-minute` : `${Number(match[1])}${match[2]}`;
}

/** The last soak of each rendering (release and values), oldest release first. */
export function lastSoaks(records: SoakRecord[]): SoakRecord[] {
  const last = new Map<string, SoakRecord>();
  for (const record of records) last.set(`${record.release} ${record.set.join(' ')}`, record);
  return [...last.values()].sort((a, b) => a.release.localeCompare(b.release, 'en', { numeric: true }) || a.set.join(' ').localeCompare(b.set.join(' ')));
}

/** The last soak of each release's defaults (no values given beyond the image tag), oldest release first. */
export function lastDefaultSoaks(records: SoakRecord[]): SoakRecord[] {
  return lastSoaks(records).filter((record) => record.set.length === 0);
}

const share = (record: SoakRecord, mib: number) => `${mib} of ${record.memoryLimitMiB} MiB (${Math.round((100 * mib) / record.memoryLimitMiB)} %)`;

/** One line per soak for the benchmark's report. */
export function soaksReport(records: SoakRecord[]): string[] {
  return records.map((record) => {
    const values = record.set.length > 0 ? ` with ${record.set.join(' ')}` : ' (defaults)';
    const memory = record.peakWorkingSetMiB === undefined ? `cgroup peak ${share(record, record.peakMemoryMiB)}` : `working set ${share(record, record.peakWorkingSetMiB)}`;
    const shortfalls = soakShortfalls(record);
    return `  Tempo ${record.release}${values} (${record.date}, ${record.for}): ${shortfalls.length === 0 ? 'held' : `FELL SHORT: ${shortfalls.join('; ')}`}; /ready ${record.readySamples.ok}/${record.readySamples.of}, found ${record.found.found}/${record.found.of}, ${memory}, ${record.acceptedSpansPerSecond} spans/s accepted`;
  });
}

/**
 * The sizing page's table: the last soak of each release's defaults, with its figures and date (a
 * test holds each to today's rendering). Soaks of other values are exploration, kept in the file.
 */
export function renderSoakTable(records: SoakRecord[]): string {
  const shown = lastDefaultSoaks(records).filter((record) => record.peakWorkingSetMiB !== undefined);
  const rows = shown.map((record) => {
    const shortfalls = soakShortfalls(record);
    const outcome = shortfalls.length === 0 ? 'held' : shortfalls.join('; ');
    return `| ${record.release} | ${record.date}, ${record.machine}, ${soakLength(record)} | ${outcome} | ${record.acceptedSpansPerSecond.toLocaleString('en-US')} | ${share(record, record.peakWorkingSetMiB!)} | ${record.found.found}/${record.found.of} |`;
  });
  return [
    '| Tempo | Soaked (date, machine, length) | Outcome | Spans/s accepted | Peak working set | Traces found |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * build/sizing/distributed-soaks.json: saturation soaks of an architecture-distributed release on real
 * processes, each within its container's limits, appended by `npm run e2e -- -f FILE --soak 420s`
 * (tools/distributed-soak.ts). docs/distributed.md's soak table is generated from it, and a test holds
 * the last soak of each values set to today's rendering of it.
 */
export interface DistributedSoakRecord {
  date: string;
  machine: string;
  chartVersion: string;
  /** A digest of what the chart renders for the release's Tempo pods (distributedRenderingDigest). */
  rendering: string;
  /** The values files soaked, from the project's root, and any --set. */
  values: string[];
  set: string[];
  for: string;
  offeredSpansPerSecond: number;
  acceptedSpansPerSecond: number;
  requestsFailed: number;
  /** Sampled acknowledged traces read back by ID through the query-frontend after the load. */
  found: { found: number; of: number };
  /** Of the sampled traces not read back after the load, how many were not in the blocks a block-builder cycle later either. */
  lostTraces: number;
  discardedSpans: Record<string, number>;
  pods: SoakedPodFigures[];
}

/** What one pod of a distributed soak held. */
export interface SoakedPodFigures {
  name: string;
  component: string;
  memoryLimitMiB: number;
  cpuLimitCores?: number;
  peakWorkingSetMiB: number;
  peakRssMiB: number;
  oomKills: number;
  /** /ready samples (every 5 s) that answered 200, of all. */
  readySamples: { ok: number; of: number };
  /** The Kafka lag it reported at the end of the load, for a consumer of the topic (tempo_ingest_group_partition_lag_seconds, the largest). */
  lagSecondsAtEnd?: number;
}

export const distributedSoaksFile = path.join(paths.root, 'build', 'sizing', 'distributed-soaks.json');

export function readDistributedSoaks(file = distributedSoaksFile): DistributedSoakRecord[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DistributedSoakRecord[]) : [];
}

/** What keeps a distributed soak from holding, in words (none: it held): the single pod's bar, for every pod, and every sampled acknowledged trace read back. */
export function distributedSoakShortfalls(record: Pick<DistributedSoakRecord, 'pods' | 'found'>): string[] {
  const shortfalls: string[] = [];
  for (const pod of record.pods) {
    if (pod.oomKills > 0) shortfalls.push(`${pod.name}: ${pod.oomKills} OOM kill(s)`);
    if (pod.readySamples.ok < pod.readySamples.of) shortfalls.push(`${pod.name}: /ready answered ${pod.readySamples.ok} of ${pod.readySamples.of} samples`);
    if (pod.peakWorkingSetMiB > workingSetShareAtMost * pod.memoryLimitMiB) shortfalls.push(`${pod.name}: working set peaked at ${pod.peakWorkingSetMiB} of ${pod.memoryLimitMiB} MiB, over ${Math.round(workingSetShareAtMost * 100)} %`);
  }
  if (record.found.of === 0 || record.found.found < record.found.of) shortfalls.push(`${record.found.found} of ${record.found.of} sampled acknowledged traces read back after the load`);
  return shortfalls;
}

/** The last soak of each values set (files and --set), in the order first soaked. */
export function lastDistributedSoaks(records: DistributedSoakRecord[]): DistributedSoakRecord[] {
  const last = new Map<string, DistributedSoakRecord>();
  for (const record of records) last.set(JSON.stringify([record.values, record.set]), record);
  return [...last.values()];
}

/**
 * docs/distributed.md's soak table: for the last soak of each values set, its outcome, then per
 * component the pods' limit and the highest working set any of them reached.
 */
export function renderDistributedSoakTable(records: DistributedSoakRecord[]): string {
  return lastDistributedSoaks(records).map((record) => {
    const shortfalls = distributedSoakShortfalls(record);
    const discarded = Object.entries(record.discardedSpans).filter(([, count]) => count > 0).map(([reason, count]) => `${count.toLocaleString('en-US')} ${reason}`);
    const components = [...new Set(record.pods.map((pod) => pod.component))].map((component) => {
      const pods = record.pods.filter((pod) => pod.component === component);
      const peak = Math.max(...pods.map((pod) => pod.peakWorkingSetMiB));
      const limit = pods[0]!.memoryLimitMiB;
      const lags = pods.flatMap((pod) => (pod.lagSecondsAtEnd === undefined ? [] : [pod.lagSecondsAtEnd]));
      return `| ${component} | ${pods.length} | ${limit} MiB | ${peak} MiB (${Math.round((100 * peak) / limit)} %) | ${pods.reduce((sum, pod) => sum + pod.oomKills, 0)} | ${lags.length > 0 ? `${Math.max(...lags)} s` : ''} |`;
    });
    return [
      `**${[...record.values, ...record.set].join(' ')}** (${record.date}, ${record.machine}, ${soakLength({ for: record.for } as SoakRecord)}, chart ${record.chartVersion}): ${shortfalls.length === 0 ? 'held' : `fell short: ${shortfalls.join('; ')}`}. ` +
        `${record.offeredSpansPerSecond.toLocaleString('en-US')} spans/s offered, ${record.acceptedSpansPerSecond.toLocaleString('en-US')} accepted (${record.requestsFailed} requests refused); ` +
        `${record.found.found} of ${record.found.of} sampled acknowledged traces read back after the load, ${record.lostTraces} not in the blocks either a block-builder cycle later; ` +
        `spans discarded: ${discarded.length > 0 ? discarded.join(', ') : 'none'}.`,
      '',
      '| Component | Pods | Memory limit (each) | Peak working set (highest pod) | OOM kills | Kafka lag at the end |',
      '| --- | --- | --- | --- | --- | --- |',
      ...components,
    ].join('\n');
  }).join('\n\n');
}
