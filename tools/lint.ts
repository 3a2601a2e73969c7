import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { paths, relative } from '../build/paths.ts';

/**
 * House rules for the Go templates that a type-checker cannot see (the project's style guide):
 * helpers named tempo.<area>.<name> with a usage comment, every fail message starting with ERROR:,
 * and the namespace decided in one helper.
 */
export function lintGoTemplates(dir: string): string[] {
  const problems: string[] = [];
  // Every feature folder too (readdir's recursive listing names files by their path below dir).
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => /\.(tpl|yaml|txt)$/.test(file))) {
    const file = path.join(dir, name);
    const text = readFileSync(file, 'utf8');
    const where = (index: number) => `${relative(file)}:${text.slice(0, index).split('\n').length}`;

    for (const match of text.matchAll(/\{\{-? define "([^"]+)" -?\}\}/g)) {
      const helper = match[1]!;
      if (!/^tempo(\.[a-z][a-zA-Z]*){1,2}$/.test(helper)) {
        problems.push(`${where(match.index)}: helper "${helper}" is not named tempo.<area>.<name>`);
      }
      const before = text.slice(0, match.index).trimEnd();
      const comment = /\{\{- \/\*((?:(?!\*\/)[\s\S])*)\*\/ -\}\}$/.exec(before);
      if (!comment || !comment[1]!.includes(`${helper}:`) || !comment[1]!.includes('Usage:')) {
        problems.push(`${where(match.index)}: helper "${helper}" needs a comment right above it: "${helper}: what it returns", then "Usage: ..."`);
      }
    }
    for (const match of text.matchAll(/\bfail\s+(?:\(printf\s+)?"([^"]*)/g)) {
      if (!match[1]!.startsWith('ERROR: ')) problems.push(`${where(match.index)}: fail message must start with "ERROR: "`);
    }
    for (const match of text.matchAll(/\.Release\.Namespace/g)) {
      const inHelper = text.lastIndexOf('define "tempo.names.namespace"', match.index) > text.lastIndexOf('{{- end -}}', match.index);
      if (!inHelper) problems.push(`${where(match.index)}: use include "tempo.names.namespace" instead of .Release.Namespace`);
    }
    // A monitoring object may live in Prometheus' namespace: tempo.monitoring.scrape decides it, from tempo.names.namespace.
    // tempo.metadata writes every object's namespace: the release's, or one a template passes from tempo.monitoring.scrape.
    for (const match of text.matchAll(/include "tempo\.metadata" \(dict [^\n]*"namespace" \(([^)]*)\)/g)) {
      if (!/^\$scrape\.(namespace|rulesNamespace)$/.test(match[1]!)) problems.push(`${where(match.index)}: the namespace given to tempo.metadata must come from tempo.monitoring.scrape`);
    }
    for (const match of text.matchAll(/^\s*namespace: (.*)$/gm)) {
      if (match[1] === '{{ .namespace | default (include "tempo.names.namespace" .root) }}' && text.lastIndexOf('define "tempo.metadata"', match.index) > text.lastIndexOf('{{- end -}}', match.index)) continue;
      if (!match[1]!.startsWith('{{ include "tempo.names.namespace" . }}') && !/^\{\{ \$scrape\.(namespace|rulesNamespace) \}\}$/.test(match[1]!)) {
        problems.push(`${where(match.index)}: metadata.namespace must come from include "tempo.names.namespace" (or tempo.monitoring.scrape)`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const problems = lintGoTemplates(path.join(paths.templates, 'templates'));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exitCode = 1;
  else console.log('Go templates follow the house rules.');
}
