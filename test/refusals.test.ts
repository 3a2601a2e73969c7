import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { paths } from '../build/paths.ts';
import { helmRelease, helmReleases, renderError } from './helpers/helm.ts';

/**
 * test/bad-values/*.yaml: each file is refused by helm template. Its header says what helm must
 * print: "# expect: TEXT" on both helm versions, "# expect-helm3: TEXT" / "# expect-helm4: TEXT" on
 * one (their schema validators word errors differently). Every TEXT must appear in one output line.
 */
const badValuesDir = path.join(paths.root, 'test', 'bad-values');
const files = readdirSync(badValuesDir).filter((name) => name.endsWith('.yaml')).sort();

function expectations(file: string, label: string): string[] {
  const text = readFileSync(path.join(badValuesDir, file), 'utf8');
  return [...text.matchAll(/^# expect(?:-(helm[34]))?: (.+)$/gm)]
    .filter((match) => match[1] === undefined || match[1] === label)
    .map((match) => match[2]!);
}

test('the corpus holds at least 40 bad values files, each with expectations for both helm versions', () => {
  expect(files.length).toBeGreaterThanOrEqual(40);
  for (const file of files) {
    for (const helm of helmReleases) expect(expectations(file, helm.label), `${file} (${helm.label})`).not.toHaveLength(0);
  }
});

const cases = helmReleases.flatMap((helm) => files.map((file) => ({ helm, file, label: `${file} (${helm.label})` })));

describe.concurrent.each(cases)('refuses $label', ({ helm, file }) => {
  test('with a message naming the problem', async () => {
    const stderr = await renderError(helm, { valuesFiles: [path.join(badValuesDir, file)] });
    const lines = stderr.split('\n');
    for (const expected of expectations(file, helm.label)) {
      expect(lines.some((line) => line.includes(expected)), `expected "${expected}" in:\n${stderr}`).toBe(true);
    }
  });
});

test('every ERROR: message in the templates is pinned by a bad-values file', () => {
  const templatesDir = path.join(paths.templates, 'templates');
  const messages = readdirSync(templatesDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.tpl') || name.endsWith('.yaml'))
    .flatMap((name) => [...readFileSync(path.join(templatesDir, name), 'utf8').matchAll(/"(ERROR: (?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!.replaceAll('\\"', '"')));
  expect(messages.length).toBeGreaterThanOrEqual(30);
  const pinned = files.flatMap((file) => [...expectations(file, 'helm3'), ...expectations(file, 'helm4')]);
  // The words between printf verbs are what a refusal always prints: its longest stretch must be expected somewhere.
  const unpinned = messages.filter((message) => {
    const fixed = message.split(/%[-+# 0-9.]*[sdvqf]/).sort((a, b) => b.length - a.length)[0]!;
    return !pinned.some((line) => line.includes(fixed));
  });
  expect(unpinned).toEqual([]);
});

test('values that break the schema on purpose go through invalidValues, apart from the typed values', async () => {
  const stderr = await renderError(helmRelease('helm4'), { values: { replicas: 1 }, invalidValues: { replicas: 'three' } });
  expect(stderr).toContain("at '/replicas'");
});
