import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildChart } from '../build/chart.ts';
import { helmBinary, helmReleases, isolatedHelmEnv } from './helm.ts';
import YAML from 'yaml';
import type { Manifest } from '../test/helpers/helm.ts';
import { valuesSets } from '../test/helpers/values-sets.ts';
import { verifyRendering } from '../test/helpers/verify.ts';
import { kubeVersions } from '../build/kubernetes-schema.ts';
import { paths } from '../build/paths.ts';
import { lastDefaultSoaks, lastSoaks, readSoaks, soaksReport } from '../build/soaks.ts';

/**
 * npm run bench: how long the build takes; how long `helm template` takes on this chart (its defaults,
 * three replicas on S3, Tempo 3.0's defaults, and each distributed values set) compared with the chart `helm create` makes, measured side by side
 * (interleaved) so machine noise hits both; and how long each values set takes to render and to
 * validate, per helm and Kubernetes version. Medians of several runs; BENCH_RUNS sets their number.
 * It does not run the test suite: npm test does, and CI reports its time.
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
  // The defaults (the design's Deployment) and three pods on S3 (the StatefulSet), each against a
  // helm create chart rendered in the same loop, so machine noise hits both.
  const scaledOut = valuesSets().find((set) => set.name === 'scaled-out-s3')!;
  const tempo30 = valuesSets().find((set) => set.name === 'tempo-3-0')!;
  const distributedSets = valuesSets().filter((set) => set.name.startsWith('distributed'));
  for (const release of helmReleases) {
    const helm = helmBinary(release);
    const env = { ...process.env, ...isolatedHelmEnv(workDir) };
    const reference = path.join(workDir, `${release.label}-reference`);
    execFileSync(helm, ['create', reference], { env, stdio: 'ignore' });
    const template = (chart: string, files: string[] = []) => () =>
      execFileSync(helm, ['template', 'tempo', chart, '-n', 'observability', ...files.flatMap((file) => ['-f', file])], { env, stdio: 'ignore' });
    const defaults: number[] = [];
    const threeReplicas: number[] = [];
    const latestTempo: number[] = [];
    const microservices = distributedSets.map(() => [] as number[]);
    const theirs: number[] = [];
    for (let index = 0; index < runs; index += 1) {
      defaults.push(time(template(paths.chart)));
      threeReplicas.push(time(template(paths.chart, scaledOut.files)));
      latestTempo.push(time(template(paths.chart, tempo30.files)));
      distributedSets.forEach((set, index) => microservices[index]!.push(time(template(paths.chart, set.files))));
      theirs.push(time(template(reference)));
    }
    const ratio = (samples: number[]) => (median(samples) / median(theirs)).toFixed(2);
    console.log(
      `${release.label} ${release.version} helm template: helm create chart ${ms(median(theirs))}; this chart's defaults ${ms(median(defaults))}, ratio ${ratio(defaults)}; 3 replicas on S3 ${ms(median(threeReplicas))}, ratio ${ratio(threeReplicas)}; Tempo 3.0 ${ms(median(latestTempo))}, ratio ${ratio(latestTempo)}; ${distributedSets.map((set, index) => `${set.name} ${ms(median(microservices[index]!))}, ratio ${ratio(microservices[index]!)}`).join('; ')}`,
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

// The last saturation soak of each release's defaults (npm run soak, run by hand: it takes the
// machine); soaks of other values are exploration, counted but not listed.
const last = lastSoaks(readSoaks());
const soaks = soaksReport(lastDefaultSoaks(last));
console.log(`\nlast soak of each release's defaults (build/sizing/soaks.json, npm run soak):${soaks.length > 0 ? '' : ' none recorded'}`);
for (const line of soaks) console.log(line);
console.log(`  and ${last.length - soaks.length} rendering(s) of other values, last soaks in the file`);
