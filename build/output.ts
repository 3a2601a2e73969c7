import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { BuildOutput } from './chart.ts';
import { relative } from './paths.ts';

/** Files under `ownedDir` that the build did not produce: left there, they would ship in the chart. */
function strayFiles(output: BuildOutput, ownedDir: string): string[] {
  if (!existsSync(ownedDir)) return [];
  const list = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      return entry.isDirectory() ? list(file) : [file];
    });
  return list(ownedDir).filter((file) => !output.has(file));
}

/** Writes the build output and removes stray files from the chart directory. */
export function writeOutput(output: BuildOutput, ownedDir: string): void {
  for (const file of strayFiles(output, ownedDir)) rmSync(file);
  for (const [file, content] of output) {
    mkdirSync(path.dirname(file), { recursive: true });
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current !== content) writeFileSync(file, content);
  }
}

/** Repository-relative paths whose content on disk differs from what the build produces. */
export function driftedFiles(output: BuildOutput, ownedDir: string): string[] {
  const changed = [...output]
    .filter(([file, content]) => !existsSync(file) || readFileSync(file, 'utf8') !== content)
    .map(([file]) => relative(file));
  const stray = strayFiles(output, ownedDir).map((file) => `${relative(file)} (not produced by the build)`);
  return [...changed, ...stray].sort();
}
