import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import YAML from 'yaml';
import { execa } from 'execa';
import { paths } from '../build/paths.ts';
import { loadTempoSeries } from '../build/tempo-versions.ts';
import { helmRelease, helmReleases, render, renderError } from './helpers/helm.ts';

/**
 * The user's manual, README.md and the pages under docs/: every link reaches a file and a heading
 * that exist, and every YAML example renders. The examples between values-set markers are values
 * sets, which every check renders; the shorter snippets are rendered here.
 */
const pages = [paths.readme, ...readdirSync(paths.docs).filter((name) => name.endsWith('.md')).map((name) => path.join(paths.docs, name))];
const name = (file: string) => path.relative(paths.root, file);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replaceAll(' ', '-');

/** The page's text outside fenced code blocks, where a # starts a comment rather than a heading. */
const prose = (text: string) => text.replace(/^ *```[\s\S]*?^ *```/gm, '');

const anchorsOf = (file: string) => new Set([...prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1]!)));

test('every page is reached from the README', () => {
  const readme = readFileSync(paths.readme, 'utf8');
  for (const page of pages.slice(1)) expect(readme, name(page)).toContain(`](docs/${path.basename(page)})`);
});

test.each(pages.map(name))('every link of %s reaches a file and a heading that exist', (page) => {
  const file = path.join(paths.root, page);
  const broken: string[] = [];
  for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(https?|mailto):/.test(target!)) continue;
    const [where, fragment] = target!.split('#') as [string, string | undefined];
    const linked = where === '' ? file : path.resolve(path.dirname(file), where);
    if (!existsSync(linked)) broken.push(`${target}: no such file`);
    else if (fragment !== undefined && (statSync(linked).isDirectory() || !anchorsOf(linked).has(fragment))) broken.push(`${target}: no such heading`);
  }
  expect(broken).toEqual([]);
});

const snippets = pages.flatMap((file) => {
  const outsideValuesSets = readFileSync(file, 'utf8').replace(/<!-- values-set:([a-z0-9-]+):start[^>]*-->[\s\S]*?<!-- values-set:\1:end -->/g, '');
  return [...outsideValuesSets.matchAll(/^( *)```yaml\n([\s\S]*?)^ *```/gm)].map((match, index) => ({
    label: `${name(file)} #${index + 1}`,
    // A snippet inside a list item is indented with it.
    values: YAML.parse(match[2]!.replace(new RegExp(`^${match[1]}`, 'gm'), '')),
  }));
});

test('the manual has YAML snippets outside the values sets', () => {
  expect(snippets.length).toBeGreaterThan(3);
});

test.concurrent.each(snippets)('the YAML example $label renders as values', async ({ values }) => {
  // The Secrets the examples name are the user's own.
  const rendered = await render(helmReleases[0]!, { values, external: ['Secret/tempo-s3'] });
  expect(rendered.documents.length).toBeGreaterThan(0);
});

/** The supported series as the build reads them (build/tempo-config/versions.yaml). */
const supportedSeries = loadTempoSeries(path.join(paths.tempoConfigSources, 'versions.yaml'));

test("every link to Tempo's versioned documentation, in the manual, the chart and the values, names a supported series", () => {
  const files = [...pages, paths.valuesSchema, path.join(paths.chart, 'Chart.yaml'), path.join(paths.chart, 'README.md'), ...readdirSync(path.join(paths.templates, 'templates'), { recursive: true, encoding: 'utf8' }).filter((file) => /\.(tpl|yaml|txt|hbs)$/.test(file)).map((file) => path.join(paths.templates, 'templates', file))];
  const supported = new Set(supportedSeries.map((entry) => entry.docsUrl));
  const stray = files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/https:\/\/grafana\.com\/docs\/tempo\/(v\d+\.\d+\.x|latest|next)\//g)].map((match) => match[0]).filter((url) => !supported.has(url)).map((url) => `${name(file)}: ${url}`));
  expect(stray).toEqual([]);
  // A value's description is one text for every series: it links to none in particular.
  expect(readFileSync(paths.valuesSchema, 'utf8')).not.toMatch(/grafana\.com\/docs\/tempo\/v\d/);
});

test("the README's table of Tempo versions lists each supported series with the release its tests run, and the default first", () => {
  const readme = readFileSync(paths.readme, 'utf8');
  const rows = [...readme.slice(readme.indexOf('## Tempo versions')).matchAll(/^\| (\d+\.\d+) \| (\d+\.\d+\.\d+) \|/gm)].map((match) => [match[1], match[2]]);
  expect(rows).toEqual(supportedSeries.map((entry) => [entry.name, entry.release]));
  expect(readme).toContain(`The default is Tempo ${supportedSeries[0]!.release}`);
});

/** The words of a shell command line, without its comment and output redirection (the manual's commands need no quoting). */
const words = (line: string) => line.replace(/\s+#.*$/, '').replace(/\s*>\s*\S+\s*$/, '').trim().split(/\s+/);

const offlineCommands = pages.flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    block[1]!.split('\n').filter((line) => /^npm run helm -- (template|lint)\b/.test(line)).map((line) => ({ label: `${name(file)}: ${line.replace(/\s+#.*$/, '')}`, args: words(line).slice(4) })),
  ),
);

test('the quick start has offline helm commands', () => {
  expect(offlineCommands.length).toBeGreaterThanOrEqual(2);
});

test.concurrent.each(offlineCommands)('$label works on a fresh clone, without a cluster', async ({ args }) => {
  const result = await execa('npm', ['run', '--silent', 'helm', '--', ...args], { cwd: paths.root, reject: false });
  expect(result.exitCode, result.stderr).toBe(0);
});

const refusalExamples = pages.flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/```(?:text|console)\n\$ helm template tempo \.\/chart ([^\n]*)\n([\s\S]*?)```/g)].map((match) => ({
    label: `${name(file)}: ${match[1]}`,
    set: words(match[1]!).filter((word) => word !== '--set'),
    shown: match[2]!,
  })),
);

test('the manual shows refusals as helm prints them', () => {
  expect(refusalExamples.length).toBeGreaterThanOrEqual(3);
});

test.concurrent.each(refusalExamples)('$label prints what the manual shows (Helm 3)', async ({ set, shown }) => {
  const stderr = await renderError(helmRelease('helm3'), { set });
  // The manual wraps long lines, and Helm prints schema errors in any order: compare the words of each error.
  const errors = (text: string) =>
    text
      .replace(/Use --debug flag to render out invalid YAML/, '')
      .split(/\n(?=Error:|ERROR:|- )/)
      .map((part) => part.replace(/\s+/g, ' ').trim())
      .filter(Boolean)
      .sort();
  expect(errors(stderr)).toEqual(errors(shown));
});

test("every link of the chart's own README and manual, and every page its NOTES and refusals name, is in the chart", () => {
  const chartPages = [path.join(paths.chart, 'README.md'), ...readdirSync(path.join(paths.chart, 'docs')).map((page) => path.join(paths.chart, 'docs', page))];
  const broken: string[] = [];
  for (const file of chartPages) {
    for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)]+)\)/g)) {
      if (/^(https?:|mailto:)/.test(target!)) continue;
      const [relativePath, heading] = target!.split('#');
      const resolved = relativePath ? path.resolve(path.dirname(file), relativePath) : file;
      if (!resolved.startsWith(paths.chart) || !existsSync(resolved)) broken.push(`${name(file)}: ${target}`);
      else if (heading && resolved.endsWith('.md') && !anchorsOf(resolved).has(heading)) broken.push(`${name(file)}: ${target} (no such heading)`);
    }
  }
  const templates = readdirSync(path.join(paths.chart, 'templates'), { recursive: true, encoding: 'utf8' }).map((file) => path.join(paths.chart, 'templates', file));
  for (const file of templates.filter((entry) => statSync(entry).isFile())) {
    for (const [page] of readFileSync(file, 'utf8').matchAll(/(?<![\w./-])docs\/[a-z-]+\.md/g)) if (!existsSync(path.join(paths.chart, page))) broken.push(`${name(file)} names ${page}`);
  }
  expect(broken).toEqual([]);
});
