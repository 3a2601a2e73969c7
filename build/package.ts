import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildChart } from './chart.ts';
import { helmBinary, helmRelease } from './helm.ts';
import { driftedFiles } from './output.ts';
import { packageVersion, paths, relative } from './paths.ts';

/**
 * npm run package: packages chart/ into `destination` (dist/ from the command line) and returns the
 * archive's path. Helm 4 packages byte-reproducibly (Helm 3 embeds the time). Refuses to package a
 * chart/ that is out of date with its sources.
 */
export function packageChart(destination: string): string {
  const drifted = driftedFiles(buildChart(), paths.chart);
  if (drifted.length > 0) {
    throw new Error(`chart/ is out of date with its sources; run npm run build first:\n  ${drifted.join('\n  ')}`);
  }
  const helm4 = helmBinary(helmRelease('helm4'));
  mkdirSync(destination, { recursive: true });
  execFileSync(helm4, ['lint', '--strict', paths.chart], { stdio: 'ignore' });
  execFileSync(helm4, ['package', paths.chart, '--destination', destination], { stdio: 'ignore' });
  const archive = path.join(destination, `tempo-${packageVersion()}.tgz`);
  if (!existsSync(archive)) throw new Error(`helm package did not write ${archive}`);
  return archive;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const archive = packageChart(paths.dist);
  console.log(`${relative(archive)} sha256:${createHash('sha256').update(readFileSync(archive)).digest('hex')}`);
}
