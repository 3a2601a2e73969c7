import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { changesFor } from './changelog.ts';
import { renderReadme, renderValuesTable } from './docs.ts';
import { packageVersion, paths } from './paths.ts';
import { ValuesSchema } from './schema.ts';
import { renderTemplateTree } from './templates.ts';
import { generatedNotice } from './text.ts';
import { renderValuesTypes } from './types.ts';
import { renderValuesYaml } from './values-yaml.ts';

/** The Tempo release this chart deploys and is tested with: the chart's appVersion. */
export const tempoVersion = '2.5.0';

/** Where the build reads its sources; tests point it at fixtures. */
export interface BuildSources {
  valuesSchema: string;
  templates: string;
  readme: string;
  changelog: string;
  packageJson: string;
}

/** Everything `npm run build` writes, keyed by absolute path. */
export type BuildOutput = Map<string, string>;

Handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value));

export function buildChart(sources: BuildSources = paths, chartDir = paths.chart): BuildOutput {
  const schema = ValuesSchema.load(sources.valuesSchema);
  const defaults = schema.defaults() as { image: { registry: string; repository: string } };
  const version = packageVersion(sources.packageJson);
  const context = {
    chart: { name: 'tempo', version, appVersion: tempoVersion },
    image: `${defaults.image.registry}/${defaults.image.repository}:${tempoVersion}`,
    valuesTable: renderValuesTable(schema),
    changes: changesFor(path.basename(sources.changelog), readFileSync(sources.changelog, 'utf8'), version),
  };

  const output: BuildOutput = new Map();
  for (const file of renderTemplateTree(sources.templates, context)) {
    output.set(path.join(chartDir, file.path), file.content);
  }
  output.set(path.join(chartDir, 'values.yaml'), renderValuesYaml(schema));
  const { $schema, ...rest } = schema.root;
  const chartSchema = { $schema, $comment: generatedNotice('values.schema.json'), ...rest };
  output.set(path.join(chartDir, 'values.schema.json'), `${JSON.stringify(chartSchema, null, 2)}\n`);
  output.set(paths.generatedTypes, renderValuesTypes(schema));
  output.set(sources.readme, renderReadme(path.basename(sources.readme), readFileSync(sources.readme, 'utf8'), schema));
  return output;
}
