import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { paths } from '../build/paths.ts';
import { helmBinary, helmReleases } from './helm.ts';

/**
 * npm run soak -- --release 3.0.3 [--set key=value]... [--for 420s]: a saturation soak of the chart's
 * rendering on the real Tempo release, inside the rendered pod's CPU quota and memory limit, with the
 * reference material's soak tool (shared/load, run from a development checkout: it takes the machine
 * for the whole run, so never in CI or tests). The figures are appended to build/sizing/soaks.json,
 * where `npm run bench` reports the last soak of each release, so that a regression shows in review.
 */
export interface SoakRecord {
  date: string;
  machine: string;
  release: string;
  /** The values given on top of the image tag (--set), as helm takes them. */
  set: string[];
  for: string;
  alive: boolean;
  oomKills: number;
  /** /ready samples that answered 200, of all samples (every 15 s). */
  readySamples: { ok: number; of: number };
  /** Sampled acknowledged traces read back by ID. */
  found: { found: number; of: number };
  peakMemoryMiB: number;
  memoryLimitMiB: number;
  acceptedSpansPerSecond: number;
}

export const soaksFile = path.join(paths.root, 'build', 'sizing', 'soaks.json');

export function readSoaks(file = soaksFile): SoakRecord[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SoakRecord[]) : [];
}

/** The last soak of each release, oldest release first, as lines for the benchmark's report. */
export function lastSoaksReport(records: SoakRecord[]): string[] {
  const last = new Map<string, SoakRecord>();
  for (const record of records) last.set(record.release, record);
  return [...last.values()]
    .sort((a, b) => a.release.localeCompare(b.release, 'en', { numeric: true }))
    .map((record) => {
      const share = Math.round((100 * record.peakMemoryMiB) / record.memoryLimitMiB);
      const values = record.set.length > 0 ? ` with ${record.set.join(' ')}` : '';
      return `  Tempo ${record.release}${values} (${record.date}, ${record.for}): ${record.alive ? 'alive' : 'DEAD'}, ${record.oomKills} OOM kills, /ready ${record.readySamples.ok}/${record.readySamples.of}, found ${record.found.found}/${record.found.of}, peak ${record.peakMemoryMiB} of ${record.memoryLimitMiB} MiB (${share} %), ${record.acceptedSpansPerSecond} spans/s accepted`;
    });
}

const mib = (quantity: string) => {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  return Number(match[1]) * ({ Ki: 1 / 1024, Mi: 1, Gi: 1024 }[match[2] ?? ''] ?? 1 / 2 ** 20);
};

function main(): void {
  const { values } = parseArgs({ options: { release: { type: 'string' }, set: { type: 'string', multiple: true }, for: { type: 'string', default: '420s' } } });
  const release = values.release;
  if (!release) throw new Error('usage: npm run soak -- --release 3.0.3 [--set key=value]... [--for 420s]');
  const shared = path.join(paths.root, '..', 'shared');
  const unpack = (script: string, ...args: string[]) => execFileSync(path.join(shared, script), args, { encoding: 'utf8' }).trim();
  const helm = helmBinary(helmReleases.find((candidate) => candidate.label === 'helm4')!);
  const set = values.set ?? [];
  const output = execFileSync(
    process.execPath,
    [path.join(shared, 'load', 'soak.mjs'), '--chart', paths.chart, '--helm', helm, '--tempo', unpack('tempo/bin/unpack.sh', release), '--load', unpack('load/bin/unpack.sh'),
      '--set', `image.tag=${release}`, ...set.flatMap((value) => ['--set', value]), '--spans', '20000', '--workers', '32', '--for', values.for!],
    { cwd: paths.root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  const result = JSON.parse(output.trim().split('\n').pop()!);
  const timeline: Array<[number, number | null, number | string]> = result.timeline ?? [];
  const record: SoakRecord = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    release,
    set,
    for: values.for!,
    alive: Boolean(result.alive),
    oomKills: Number(result.oom_kills ?? 0),
    readySamples: { ok: timeline.filter(([, , ready]) => ready === 200).length, of: timeline.length },
    // by_id_found reads "found/sampled".
    found: { found: Number(String(result.by_id_found ?? '0/0').split('/')[0]), of: Number(String(result.by_id_found ?? '0/0').split('/')[1]) },
    // The cgroup's peak, page cache included, as the kubelet counts it.
    peakMemoryMiB: Number(result.peak_mem_mib ?? 0),
    memoryLimitMiB: mib(String(result.limits?.memory ?? '0')),
    acceptedSpansPerSecond: Number(result.accepted_spans_per_s ?? 0),
  };
  writeFileSync(soaksFile, `${JSON.stringify([...readSoaks(), record], null, 2)}\n`);
  console.log(JSON.stringify(result));
  console.log(lastSoaksReport([record]).join('\n'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
