import { mkdtempSync, writeFileSync } from 'node:fs';
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
