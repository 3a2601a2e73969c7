import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildChart } from './chart.ts';
import { helmBinary, helmReleases, isolatedHelmEnv } from './helm.ts';
import { paths } from './paths.ts';

/**
 * npm run bench: how long the build takes, and how long `helm template` takes on this chart compared
 * with the chart `helm create` makes, measured side by side (interleaved) so machine noise hits both.
 * Medians of several runs; the ratio is the number to watch.
 */
const runs = Number(process.env.BENCH_RUNS ?? 15);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function time(action: () => void): number {
  const start = performance.now();
  action();
  return performance.now() - start;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

const buildSamples = Array.from({ length: runs }, () => time(() => buildChart()));
const cliSamples = Array.from({ length: Math.min(runs, 5) }, () =>
  time(() => execFileSync(process.execPath, ['--import', 'tsx', 'build/main.ts', '--check'], { cwd: paths.root, stdio: 'ignore' })),
);
console.log(`build (in process, median of ${runs}):        ${ms(median(buildSamples))}`);
console.log(`npm run check (whole command, median of ${cliSamples.length}): ${ms(median(cliSamples))}`);

const workDir = mkdtempSync(path.join(os.tmpdir(), 'tempo-bench-'));
try {
  for (const release of helmReleases) {
    const helm = helmBinary(release);
    const env = { ...process.env, ...isolatedHelmEnv(workDir) };
    const reference = path.join(workDir, `${release.label}-reference`);
    execFileSync(helm, ['create', reference], { env, stdio: 'ignore' });
    const template = (chart: string) => () => execFileSync(helm, ['template', 'tempo', chart, '-n', 'observability'], { env, stdio: 'ignore' });
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let index = 0; index < runs; index += 1) {
      ours.push(time(template(paths.chart)));
      theirs.push(time(template(reference)));
    }
    const ratio = median(ours) / median(theirs);
    console.log(
      `${release.label} ${release.version} helm template: this chart ${ms(median(ours))}, helm create chart ${ms(median(theirs))}, ratio ${ratio.toFixed(2)}`,
    );
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
