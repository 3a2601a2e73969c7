import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildChart } from './chart.ts';
import { helmBinary, helmReleases, isolatedHelmEnv } from './helm.ts';
import YAML from 'yaml';
import type { Manifest } from '../test/helpers/helm.ts';
import { valuesSets } from '../test/helpers/values-sets.ts';
import { verifyRendering } from '../test/helpers/verify.ts';
import { kubeVersions } from './kubernetes-schema.ts';
import { paths } from './paths.ts';

/**
 * npm run bench: how long the build takes; how long `helm template` takes on this chart compared with
 * the chart `helm create` makes, measured side by side (interleaved) so machine noise hits both; how
 * long each values set takes to render and to validate, per helm and Kubernetes version; and the wall
 * time of the whole test suite (target: under 3 minutes on CI's 2 cores). Medians of several runs.
 * BENCH_RUNS sets the number of runs; BENCH_SUITE=0 skips the suite.
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

  // Render time per values set: helm template (a process) and the in-process validation render() adds.
  console.log(`\nrender time per values set (median of ${Math.min(runs, 5)}): helm template + validation (Kubernetes, Tempo, invariants)`);
  for (const set of valuesSets()) {
    for (const release of helmReleases) {
      const env = { ...process.env, ...isolatedHelmEnv(workDir) };
      const cells = kubeVersions.map((kubeVersion) => {
        const args = ['template', set.release, paths.chart, '-n', set.namespace, ...set.files.flatMap((file) => ['-f', file]), '--kube-version', `${kubeVersion}.0`];
        let output = '';
        const helmSamples = Array.from({ length: Math.min(runs, 5) }, () =>
          time(() => (output = execFileSync(helmBinary(release), args, { env, encoding: 'utf8' }))),
        );
        const documents = YAML.parseAllDocuments(output).map((doc) => doc.toJS()).filter(Boolean) as Manifest[];
        verifyRendering(documents, { kubeVersion, allow: set.allow, external: set.external }); // warm the validators
        const verifySamples = Array.from({ length: Math.min(runs, 5) }, () =>
          time(() => verifyRendering(documents, { kubeVersion, allow: set.allow, external: set.external })),
        );
        return `k8s ${kubeVersion} ${ms(median(helmSamples))} + ${ms(median(verifySamples))}`;
      });
      console.log(`  ${set.name.padEnd(12)} ${release.label}: ${cells.join(', ')}`);
    }
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

if (process.env.BENCH_SUITE !== '0') {
  const start = performance.now();
  const suite = spawnSync(process.execPath, [path.join(paths.root, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], {
    cwd: paths.root,
    encoding: 'utf8',
  });
  const wall = performance.now() - start;
  const summary = /(\d+ passed, \d+ failed, \d+ skipped)/.exec(suite.stdout)?.[1] ?? 'no summary line';
  console.log(`\ntest suite (npm test, wall time): ${(wall / 1000).toFixed(1)} s, ${summary}, exit code ${suite.status}`);
  if (suite.status !== 0) process.exitCode = 1;
}
