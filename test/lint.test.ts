import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { lintGoTemplates } from '../tools/lint.ts';
import { paths } from '../build/paths.ts';

test('the chart templates follow the house rules', () => {
  expect(lintGoTemplates(path.join(paths.templates, 'templates'))).toEqual([]);
});

test('the template lint catches each broken rule', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tempo-lint-'));
  writeFileSync(
    path.join(dir, '_bad.tpl'),
    [
      '{{- define "myHelper" -}}x{{- end -}}',
      '{{- /*',
      'tempo.util.quiet: documented but without usage.',
      '*/ -}}',
      '{{- define "tempo.util.quiet" -}}{{ fail "something went wrong" }}{{- end -}}',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'bad.yaml'), 'metadata:\n  namespace: {{ .Release.Namespace }}\n');
  const problems = lintGoTemplates(dir).join('\n');
  expect(problems).toMatch(/_bad\.tpl:1: helper "myHelper" is not named tempo\.<area>\.<name>/);
  expect(problems).toMatch(/_bad\.tpl:1: helper "myHelper" needs a comment/);
  expect(problems).toMatch(/_bad\.tpl:5: helper "tempo\.util\.quiet" needs a comment/);
  expect(problems).toMatch(/_bad\.tpl:5: fail message must start with "ERROR: "/);
  expect(problems).toMatch(/bad\.yaml:2: use include "tempo\.names\.namespace" instead of \.Release\.Namespace/);
  expect(problems).toMatch(/bad\.yaml:2: metadata\.namespace must come from include "tempo\.names\.namespace"/);
});

test("every repository file the chart's sources, tools, tests and manual name exists", () => {
  const sources = ['templates', 'tools', 'build', 'test', 'docs', 'examples'].flatMap((dir) =>
    (readdirSync(path.join(paths.root, dir), { recursive: true, encoding: 'utf8' }) as string[])
      .filter((file) => /\.(tpl|hbs|ts|md|yaml|txt)$/.test(file) && !file.startsWith('generated') && !file.includes('fixtures'))
      .map((file) => path.join(paths.root, dir, file)),
  );
  sources.push(paths.readme, paths.valuesSchema);
  const missing: string[] = [];
  for (const file of sources) {
    for (const [cited] of readFileSync(file, 'utf8').matchAll(/(?<![\w./-])(?:docs|build|test|examples|tools)\/[A-Za-z0-9_./-]+\.(?:md|ts|yaml|json|tpl)\b/g)) {
      // A path with a placeholder (<series>, NAME) names a family of files, not one.
      if (/NAME|<|\*/.test(cited)) continue;
      if (!existsSync(path.join(paths.root, cited))) missing.push(`${path.relative(paths.root, file)} names ${cited}`);
    }
  }
  expect(missing).toEqual([]);
});
