import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so every script works from any working directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const paths = {
  root: repoRoot,
  valuesSchema: path.join(repoRoot, 'values.schema.json'),
  templates: path.join(repoRoot, 'templates'),
  chart: path.join(repoRoot, 'chart'),
  readme: path.join(repoRoot, 'README.md'),
  docs: path.join(repoRoot, 'docs'),
  changelog: path.join(repoRoot, 'CHANGELOG.md'),
  packageJson: path.join(repoRoot, 'package.json'),
  generatedTypes: path.join(repoRoot, 'build', 'generated', 'values.ts'),
  tempoConfigSources: path.join(repoRoot, 'build', 'tempo-config'),
  sizingPresets: path.join(repoRoot, 'build', 'sizing', 'presets.yaml'),
  otherCharts: path.join(repoRoot, 'build', 'other-charts.yaml'),
  sizingMeasurements: path.join(repoRoot, 'build', 'sizing', 'measurements.md'),
  kubernetesOpenApi: path.join(repoRoot, 'build', 'kubernetes-openapi'),
  tempoConfigSchema: path.join(repoRoot, 'build', 'generated', 'tempo-config.schema.json'),
  dist: path.join(repoRoot, 'dist'),
  releases: path.join(repoRoot, 'build', 'releases'),
  /** The named values sets every check renders; the README shows some of them as examples. */
  valuesSets: path.join(repoRoot, 'test', 'values'),
};

/** The chart version: package.json's version. */
export function packageVersion(packageJson = paths.packageJson): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/** Repository-relative path with forward slashes, as used in messages and generated headers. */
export function relative(file: string): string {
  return path.relative(repoRoot, file).split(path.sep).join('/');
}
