import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { paths, packageVersion } from '../build/paths.ts';
import { quantityValue } from '../build/sizing.ts';
import { readSoaks, soaksFile, soaksReport, type SoakRecord } from '../build/soaks.ts';
import { helmBinary, helmReleases } from './helm.ts';

/**
 * npm run soak -- --release 3.0.3 [--set key=value]... [--for 420s] [--log FILE]: a saturation soak of
 * the chart's rendering on the real Tempo release, inside the rendered pod's CPU quota and memory
 * limit, with the reference material's soak tool (shared/load, run from a development checkout: it
 * takes the machine for the whole run, so never in CI or tests). The figures are appended to
 * build/sizing/soaks.json (see build/soaks.ts).
 */

/**
 * A digest of what the chart renders for the soaked pod: the Tempo configuration files and the Tempo
 * container's resources, environment and arguments. A recorded soak of the defaults stands only for
 * the rendering it soaked; a test compares this digest with today's.
 */
export function renderingDigest(helm: string, release: string, set: string[] = []): string {
  const rendered = execFileSync(helm, ['template', 'tempo', paths.chart, '--set', `image.tag=${release}`, ...set.flatMap((value) => ['--set', value])], { encoding: 'utf8' });
  const objects = YAML.parseAllDocuments(rendered).map((document) => document.toJS()).filter(Boolean);
  const configs = objects.filter((object) => object.kind === 'ConfigMap' && !object.metadata?.annotations?.['helm.sh/hook']).map((object) => object.data);
  const workload = objects.find((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet');
  const container = workload.spec.template.spec.containers.find((candidate: { name: string }) => candidate.name === 'tempo');
  const pod = { configs, resources: container.resources, env: container.env, args: container.args };
  return createHash('sha256').update(JSON.stringify(pod)).digest('hex').slice(0, 16);
}

/** Reads a cgroup v1 memory controller's anonymous memory and working set (usage less inactive page cache, the kubelet's figure), in MiB. */
export function memoryNow(cgroup: string): { rssMiB: number; workingSetMiB: number } | undefined {
  try {
    const stat = readFileSync(path.join(cgroup, 'memory.stat'), 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0);
    const usage = Number(readFileSync(path.join(cgroup, 'memory.usage_in_bytes'), 'utf8'));
    return { rssMiB: field('total_rss') / 2 ** 20, workingSetMiB: Math.max(0, usage - field('total_inactive_file')) / 2 ** 20 };
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      release: { type: 'string' }, set: { type: 'string', multiple: true }, for: { type: 'string', default: '420s' }, log: { type: 'string' },
    },
  });
  const release = values.release;
  if (!release) throw new Error('usage: npm run soak -- --release 3.0.3 [--set key=value]... [--for 420s] [--log FILE]');
  const shared = path.join(paths.root, '..', 'shared');
  const unpack = (script: string, ...args: string[]) => execFileSync(path.join(shared, script), args, { encoding: 'utf8' }).trim();
  const helm = helmBinary(helmReleases.find((candidate) => candidate.label === 'helm4')!);
  const set = values.set ?? [];
  // Before the run, so that a build during it cannot change what is recorded as soaked.
  const rendering = renderingDigest(helm, release, set);
  const soak = spawn(
    process.execPath,
    [path.join(shared, 'load', 'soak.mjs'), '--chart', paths.chart, '--helm', helm, '--tempo', unpack('tempo/bin/unpack.sh', release), '--load', unpack('load/bin/unpack.sh'),
      '--set', `image.tag=${release}`, ...set.flatMap((value) => ['--set', value]), '--spans', '20000', '--workers', '32', '--for', values.for!,
      ...(values.log ? ['--log', path.resolve(values.log)] : [])],
    { cwd: paths.root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // The soak tool samples every 15 s, which misses the short peak of a block completion: sample its
  // cgroup every second here.
  const cgroup = `/sys/fs/cgroup/memory/ceo-load-${soak.pid}`;
  const peak = { rssMiB: 0, workingSetMiB: 0 };
  const sampler = setInterval(() => {
    const now = memoryNow(cgroup);
    if (!now) return;
    peak.rssMiB = Math.max(peak.rssMiB, now.rssMiB);
    peak.workingSetMiB = Math.max(peak.workingSetMiB, now.workingSetMiB);
  }, 1000);
  let output = '';
  soak.stdout.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => soak.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`the soak tool exited with ${code}: ${output.slice(-500)}`);
  const result = JSON.parse(output.trim().split('\n').pop()!);
  const timeline: Array<[number, number | null, number | string]> = result.timeline ?? [];
  const record: SoakRecord = {
    chartVersion: packageVersion(),
    rendering,
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
    // The cgroup's peak, page cache included: the kernel reclaims that cache before it kills, so it
    // reaches the limit whenever Tempo writes enough; what cannot be reclaimed is the working set.
    peakMemoryMiB: Number(result.peak_mem_mib ?? 0),
    peakWorkingSetMiB: Math.round(peak.workingSetMiB),
    peakRssMiB: Math.round(peak.rssMiB),
    memoryLimitMiB: quantityValue(result.limits?.memory ?? 0) / 2 ** 20,
    acceptedSpansPerSecond: Number(result.accepted_spans_per_s ?? 0),
    discardedSpans: Object.fromEntries(
      Object.entries(result.tempo_metrics ?? {}).filter(([name]) => name.includes('discarded_spans_total')).map(([name, count]) => [/reason=([^}]*)/.exec(name)?.[1] ?? name, Number(count)]),
    ),
  };
  writeFileSync(soaksFile, `${JSON.stringify([...readSoaks(), record], null, 2)}\n`);
  console.log(JSON.stringify(result));
  console.log(soaksReport([record]).join('\n'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
