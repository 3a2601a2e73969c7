import { readFileSync } from 'node:fs';
import { BuildError } from './errors.ts';
import { relative } from './paths.ts';

/**
 * What a Tempo release checks beyond its keys, read from the release's own files in
 * build/tempo-config/<series>/: the command-line flags its binary defines (flags.txt, `tempo -help`)
 * and its start-up rules (config-rules.md, each with its message and source line at the tag).
 */

/** The flags the release's binary defines, without the leading dash. */
export function readTempoFlags(file: string): string[] {
  const flags = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('-'))
    .map((line) => line.slice(1).split('\t')[0]!);
  if (flags.length === 0) throw new BuildError(relative(file), 'lists no flags (lines "-name<TAB>type<TAB>default")');
  return flags;
}

/** One start-up rule of a release: W warning (-config.verify fails), P parse, M main, S fatal at start, SW logged, O per-tenant file, N no caller. */
export interface TempoRule {
  phase: 'W' | 'P' | 'M' | 'S' | 'SW' | 'O' | 'N';
  condition: string;
  message: string;
  /** file:line at the release's tag: names the rule. */
  source: string;
}

const ruleLine = /^- \[(W|P|M|S|SW|O|N)\] (.*) -> (".*"|.*) \(([^()]+:\d+)\)$/;

export function readTempoRules(file: string): TempoRule[] {
  const rules: TempoRule[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('- [')) continue;
    const match = ruleLine.exec(line);
    if (!match) throw new BuildError(relative(file), `cannot read the rule ${line.slice(0, 80)}`);
    rules.push({ phase: match[1] as TempoRule['phase'], condition: match[2]!, message: match[3]!.replace(/^"|"$/g, ''), source: match[4]! });
  }
  if (rules.length === 0) throw new BuildError(relative(file), 'lists no rules');
  return rules;
}
