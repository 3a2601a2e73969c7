import { cpSync } from 'node:fs';
import path from 'node:path';
import type { BuildSources } from '../../build/chart.ts';
import { paths } from '../../build/paths.ts';

/** A copy of the build's real sources in `dir`, for a test to change before it builds from them. */
export function copiedSources(dir: string): BuildSources {
  const sources: BuildSources = {
    valuesSchema: path.join(dir, 'values.schema.json'),
    templates: path.join(dir, 'templates'),
    readme: path.join(dir, 'README.md'),
    docs: path.join(dir, 'docs'),
    changelog: path.join(dir, 'CHANGELOG.md'),
    packageJson: path.join(dir, 'package.json'),
    tempoConfigSources: path.join(dir, 'tempo-config'),
    sizingPresets: path.join(dir, 'presets.yaml'),
    otherCharts: path.join(dir, 'other-charts.yaml'),
  };
  for (const key of Object.keys(sources) as Array<keyof BuildSources>) cpSync(paths[key], sources[key], { recursive: true });
  return sources;
}
