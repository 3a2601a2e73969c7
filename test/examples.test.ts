import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { helmRelease, render, renderNotes } from './helpers/helm.ts';
import { valuesSets } from './helpers/values-sets.ts';

/**
 * The per-environment examples (examples/<environment>.yaml over examples/base.yaml) say in their
 * comments what they deploy. Each claim is checked against what the example renders: the Tempo
 * release, the sizing preset, any capacity, and every line it quotes from NOTES. Every other check of
 * a values set covers the examples too (test/values-sets.test.ts).
 */
const examples = valuesSets().filter((set) => set.name.startsWith('example-'));

test('there are examples for dev, staging and prod', () => {
  expect(examples.map((set) => set.name).sort()).toEqual(['example-dev', 'example-prod', 'example-staging']);
});

describe.each(examples)('$name says what it renders', (set) => {
  const comments = readFileSync(set.files.at(-1)!, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('#'))
    .join('\n');
  const notes = renderNotes(undefined, set.files);
  const rendered = render(helmRelease('helm4'), { valuesFiles: set.files, external: set.external, release: set.release, namespace: set.namespace });

  test('the Tempo release and sizing preset its comments name are the ones it runs', async () => {
    const tempo = (await rendered).tempoContainer();
    for (const [, release] of comments.matchAll(/Tempo (\d+\.\d+\.\d+)/g)) expect(tempo.image).toMatch(new RegExp(`:${release!.replaceAll('.', '\\.')}$`));
    for (const [, preset] of comments.matchAll(/sizing preset (\w+)/g)) expect(await notes).toContain(`Sizing: preset ${preset},`);
  });

  test('a capacity its comments claim is one NOTES state', async () => {
    for (const [claim] of comments.matchAll(/[\d,]+ spans\/s/g)) expect(await notes).toContain(claim);
  });

  test('each line it quotes from NOTES is in NOTES', async () => {
    const quoted = comments.includes('# NOTES say') ? comments.slice(comments.indexOf('# NOTES say')).split('\n').slice(1).filter((line) => line.startsWith('#   ')).map((line) => line.slice(4)) : [];
    for (const line of quoted) expect(await notes).toContain(line);
  });
});

test('the production example keeps its traces: an object store, the write-ahead log on claims, nothing lost with a pod', async () => {
  const prod = examples.find((set) => set.name === 'example-prod')!;
  const notes = await renderNotes(undefined, prod.files);
  expect(notes).not.toContain('lost when the pod is replaced');
  expect(notes).not.toContain('A replaced pod loses');
  expect(notes).toMatch(/Traces are kept for \S+ in s3 bucket/);
});
