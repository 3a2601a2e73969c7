import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { changesFor } from './changelog.ts';
import { BuildError } from './errors.ts';
import { renderGitOps, renderManual, renderSeriesTable, renderValuesTable } from './docs.ts';
import { referencedKubernetesDefinitions } from './kubernetes-schema.ts';
import { admitOtherChartValues, loadOtherCharts, otherChartMessage, renderOtherChartTable } from './other-charts.ts';
import { packageVersion, paths, relative } from './paths.ts';
import { ValuesSchema, withoutUnusedDefinitions, type SchemaNode } from './schema.ts';
import { describePresetValue, loadSizing, renderSizingTable, seriesCapacities, sizingForChart } from './sizing.ts';
import { readDistributedSoaks, readSoaks, renderDistributedSoakTable, renderSoakTable } from './soaks.ts';
import { listFiles, renderTemplateTree } from './templates.ts';
import { tempoFacts } from './tempo-facts.ts';
import { tempoConfigSchemas, type TempoConfigSchemas } from './tempo-schema.ts';
import { readRulesLedger, readTempoFlags, readTempoRules, seriesChecks, type SeriesCheck } from './tempo-rules.ts';
import { checkSeriesKeys, loadTempoSeries } from './tempo-versions.ts';
import { formatJson, generatedNotice } from './text.ts';
import { renderValuesTypes } from './types.ts';
import { renderValuesYaml } from './values-yaml.ts';
import { wiringBySeries, withoutAnnotations } from './wiring.ts';

/** Where the build reads its sources; tests point it at fixtures. */
export interface BuildSources {
  valuesSchema: string;
  templates: string;
  readme: string;
  /** The manual's pages beside the README, one Markdown file per feature. */
  docs: string;
  changelog: string;
  packageJson: string;
  tempoConfigSources: string;
  sizingPresets: string;
  /** Other Tempo charts' values and what each is called here (docs/migrating.md). */
  otherCharts: string;
}

/** Everything `npm run build` writes, keyed by absolute path. */
export type BuildOutput = Map<string, string>;

Handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value));
// {{{{raw}}}} ... {{{{/raw}}}} keeps Go-template text verbatim inside a Handlebars template.
Handlebars.registerHelper('raw', (options: Handlebars.HelperOptions) => options.fn(undefined));

/**
 * values.schema.json with the definitions the build generates: each Kubernetes type a value refers to
 * as #/definitions/io.k8s... (security contexts, probes, affinity...). This is the schema helm
 * validates values with. Tempo's configuration schema is not among them: helm compiles the whole
 * schema on every command, and Tempo's would more than double that time for every user, so the chart
 * checks tempo.structuredConfig and the overrides against the running series' schema in its
 * templates (tempo.schema.tempoConfig), and only when they are set.
 */
export function loadValuesSchema(
  sources: Pick<BuildSources, 'valuesSchema' | 'sizingPresets'> = paths,
  sizing = loadSizing(sources.sizingPresets),
): ValuesSchema {
  return ValuesSchema.load(sources.valuesSchema, (root) => {
    describePresetValue(root, relative(sources.valuesSchema), sizing);
    return referencedKubernetesDefinitions(root);
  });
}

/** A series' configuration schema as the chart's templates read it: the schema without its document header. */
function templateConfigSchema(document: SchemaNode): SchemaNode {
  const { $schema: _draft, $comment: _notice, title: _title, ...schema } = document;
  return schema;
}

/** The supported Tempo series (build/tempo-config/versions.yaml) and their configuration schemas. */
export function loadTempoConfigSchemas(configDir: string): TempoConfigSchemas & { series: ReturnType<typeof loadTempoSeries>; flags: Record<string, string[]>; checks: Record<string, SeriesCheck[]> } {
  const versionsFile = path.join(configDir, 'versions.yaml');
  const series = loadTempoSeries(versionsFile);
  const schemas = tempoConfigSchemas(configDir, series);
  checkSeriesKeys(versionsFile, series, schemas.bySeries);
  for (const entry of series) {
    entry.generatorProcessors = schemas.generatorProcessors[entry.name]!;
    entry.overridesBlockKeys = schemas.overridesBlockKeys[entry.name]!;
  }
  const flags = Object.fromEntries(series.map(({ name }) => [name, readTempoFlags(path.join(configDir, name, 'flags.txt'))]));
  const ledgerFile = path.join(configDir, 'rules.yaml');
  const ledger = readRulesLedger(ledgerFile);
  const checks = Object.fromEntries(
    series.map(({ name }) => {
      const keys = new Map(schemas.dumps[name]!.sections.config.keys.map((key) => [key.path, { kind: key.kind, ...('default' in key ? { default: key.default } : {}) }]));
      return [name, seriesChecks(ledgerFile, name, readTempoRules(path.join(configDir, name, 'config-rules.md')), ledger, keys)];
    }),
  );
  return { ...schemas, series, flags, checks };
}

export function buildChart(sources: BuildSources = paths, chartDir = paths.chart): BuildOutput {
  const tempoConfigs = loadTempoConfigSchemas(sources.tempoConfigSources);
  const tempoConfig = tempoConfigs.union;
  const series = tempoConfigs.series;
  const tempoVersion = series[0]!.release;
  const sizing = loadSizing(sources.sizingPresets);
  for (const entry of series) {
    if (!(entry.sizing.defaultPreset in sizing.presets)) throw new BuildError(relative(path.join(sources.tempoConfigSources, 'versions.yaml')), `series ${entry.name}: sizing.defaultPreset ${entry.sizing.defaultPreset} is not a preset of ${relative(sources.sizingPresets)}`);
  }
  const schema = loadValuesSchema(sources, sizing);
  const defaults = schema.defaults() as {
    image: { registry: string; repository: string };
    gateway: { image: { registry: string; repository: string; tag: string } };
    tests: { image: { registry: string; repository: string; tag: string } };
    sizing: { goMemLimitPercent: number };
  };
  const otherCharts = loadOtherCharts(sources.otherCharts, schema);
  const version = packageVersion(sources.packageJson);
  const soaks = readSoaks();
  const capacities = seriesCapacities(series, soaks);
  const context = {
    chart: { name: 'tempo', version, appVersion: tempoVersion },
    images: [
      { name: 'tempo', image: `${defaults.image.registry}/${defaults.image.repository}:${tempoVersion}` },
      { name: 'gateway', image: `${defaults.gateway.image.registry}/${defaults.gateway.image.repository}:${defaults.gateway.image.tag}` },
      { name: 'helm-test', image: `${defaults.tests.image.registry}/${defaults.tests.image.repository}:${defaults.tests.image.tag}` },
    ],
    valuesTable: renderValuesTable(schema, series.map((entry) => entry.name)),
    sizing: sizingForChart(sizing, capacities),
    wiring: wiringBySeries(schema, series.map((entry) => entry.name)),
    versions: {
      table: { series },
    },
    tempoFacts: tempoFacts(tempoConfig, path.join(sources.tempoConfigSources, 'facts.yaml')),
    changes: changesFor(path.basename(sources.changelog), readFileSync(sources.changelog, 'utf8'), version),
    validationAreas: validationAreas(sources.templates),
    schemaAreas: definedHelpers(sources.templates, 'tempo.schema'),
    componentNames: definedHelpers(sources.templates, 'tempo.component'),
    memoized: memoizedHelpers(sources.templates),
    otherCharts: otherCharts.values.map((value) => ({ path: value.from, message: otherChartMessage(otherCharts, value) })),
  };

  const output: BuildOutput = new Map();
  for (const file of renderTemplateTree(sources.templates, context)) {
    output.set(path.join(chartDir, file.path), file.content);
  }
  // What only the validation reads, per series, as files the templates read when they need them
  // (a template is parsed at every render): the binary's flags and start-up rules, and the
  // configuration schema.
  for (const { name } of series) {
    const ruleSources = `build/tempo-config/${name}/flags.txt, build/tempo-config/${name}/config-rules.md, build/tempo-config/rules.yaml`;
    output.set(path.join(chartDir, 'files', 'tempo', name, 'accepts.json'), formatJson({ $comment: generatedNotice(ruleSources), flags: tempoConfigs.flags[name], checks: tempoConfigs.checks[name] }));
    const { $comment, ...configSchema } = tempoConfigs.bySeries[name]!;
    output.set(path.join(chartDir, 'files', 'tempo', name, 'config-schema.json'), formatJson({ $comment, ...templateConfigSchema(configSchema) }));
  }
  output.set(path.join(chartDir, 'values.yaml'), renderValuesYaml(schema));
  const { $schema, ...rest } = withoutAnnotations(schema.root);
  const chartSchema = { $schema, $comment: generatedNotice('values.schema.json'), ...withoutUnusedDefinitions(admitOtherChartValues(rest, otherCharts, relative(sources.otherCharts))) };
  output.set(path.join(chartDir, 'values.schema.json'), formatJson(chartSchema));
  output.set(paths.generatedTypes, renderValuesTypes(schema));
  output.set(paths.tempoConfigSchema, formatJson(tempoConfig));
  for (const [name, document] of Object.entries(tempoConfigs.bySeries)) output.set(seriesConfigSchemaFile(name), formatJson(document));
  const sizingTable = renderSizingTable(sizing, defaults.sizing.goMemLimitPercent, series, capacities);
  const valuesSet = (page: string, name: string) => {
    const file = path.join(paths.valuesSets, `${name}.yaml`);
    if (!existsSync(file)) throw new BuildError(page, `shows the values set ${name}, but ${relative(file)} does not exist`);
    return readFileSync(file, 'utf8');
  };
  const pages = [sources.readme, ...manualPages(sources.docs)].map((file) => ({ file, name: path.relative(path.dirname(sources.readme), file).split(path.sep).join('/'), text: readFileSync(file, 'utf8') }));
  const generatedSections = {
    'sizing-table': sizingTable,
    'soak-table': renderSoakTable(soaks),
    'distributed-soak-table': renderDistributedSoakTable(readDistributedSoaks()),
    'other-charts-grafana-community': renderOtherChartTable(otherCharts, 'grafana-community'),
    'other-charts-bitnami': renderOtherChartTable(otherCharts, 'bitnami'),
    'tempo-series': renderSeriesTable(series),
    gitops: renderGitOps(version),
  };
  for (const page of renderManual(pages, schema, series.map((entry) => entry.name), generatedSections, valuesSet)) {
    output.set(page.file, page.text);
    // The manual travels with the chart, so that the docs/ pages NOTES, refusals and the chart's README
    // name are in every copy of the chart.
    if (page.name.startsWith('docs/') && !maintainerPages.includes(page.name)) output.set(path.join(chartDir, page.name), packagedPage(page.name, page.text));
  }
  return output;
}

/** Pages of the manual for the chart's maintainers, which the chart does not carry. */
const maintainerPages = ['docs/development.md', 'docs/releasing.md'];

/**
 * A page of the manual as the chart carries it: with its generated notice, and each link to what the
 * chart does not carry (the repository's README, sources and tests, the maintainers' pages) reduced to
 * its text.
 */
export function packagedPage(name: string, text: string): string {
  const notCarried = (target: string) => target.startsWith('../') || maintainerPages.includes(`docs/${target.split('#')[0]}`);
  const local = text.replace(/\[([^\]]+)\]\(([^)]*)\)/g, (link, label: string, target: string) => (notCarried(target) ? label : link));
  return `<!-- ${generatedNotice(name)} -->\n${local}`;
}

/** The Markdown pages of the manual under docs/, in name order. */
export function manualPages(docsDir: string): string[] {
  return readdirSync(docsDir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.join(docsDir, name));
}

/**
 * The areas of the chart's validation: every tempo.validate.<area> a template defines, in the order of
 * the files' paths and then of the definitions. validate/_validate.tpl runs them all, so a feature's
 * folder brings its rules with it.
 */
export function validationAreas(templatesDir: string): string[] {
  return definedHelpers(templatesDir, 'tempo.validate');
}

/**
 * The last part of every helper <prefix>.<name> a template defines, in the order of the files' paths
 * and then of the definitions: the validation areas (tempo.validate.<area>), the checks that stand in
 * for the values schema (tempo.schema.<area>) and the components (tempo.component.<name>), so that a
 * feature's folder brings its rules and its workloads with it.
 */
export function definedHelpers(templatesDir: string, prefix: string): string[] {
  const pattern = new RegExp(`\\{\\{-? define "${prefix.replaceAll('.', '\\.')}\\.([A-Za-z]+)" -?\\}\\}`, 'g');
  return listFiles(templatesDir).flatMap((file) => [...readFileSync(path.join(templatesDir, file), 'utf8').matchAll(pattern)].map((match) => match[1]!));
}

/**
 * The helpers computed once per rendering: every <name>Uncached a template defines, for which the
 * chart's _memoized.tpl defines <name> (through tempo.util.once), so that no template repeats the
 * wrapper.
 */
export function memoizedHelpers(templatesDir: string): string[] {
  return listFiles(templatesDir).flatMap((file) => [...readFileSync(path.join(templatesDir, file), 'utf8').matchAll(/\{\{-? define "(tempo\.[A-Za-z.]+)Uncached" -?\}\}/g)].map((match) => match[1]!));
}

/** Where the build writes one series' Tempo configuration schema, for editors and the tests. */
export function seriesConfigSchemaFile(series: string): string {
  return path.join(path.dirname(paths.tempoConfigSchema), `tempo-config-${series}.schema.json`);
}
