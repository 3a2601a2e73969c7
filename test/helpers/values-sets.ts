import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { paths } from '../../build/paths.ts';

export const valuesSetsDir = path.join(paths.root, 'test', 'values');

/** A named values file from test/values/, with the release it is rendered as. */
export interface ValuesSet {
  name: string;
  file: string;
  release: string;
  namespace: string;
  /** Invariants the set breaks on purpose. */
  allow: string[];
  /** Objects the set references but the chart does not create, as Kind/name. */
  external: string[];
}

/**
 * Every test/values/*.yaml. A file may choose its release and namespace with header lines
 * "# test-release: NAME" and "# test-namespace: NAME"; otherwise it is release tempo in observability.
 * "# test-allow: NAME ..." names invariants it breaks on purpose, and "# test-external: Kind/name ..."
 * objects it references that a cluster must already have.
 */
export function valuesSets(): ValuesSet[] {
  return readdirSync(valuesSetsDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const file = path.join(valuesSetsDir, name);
      const text = readFileSync(file, 'utf8');
      const directive = (key: string) => new RegExp(`^# ${key}: (\\S+)$`, 'm').exec(text)?.[1];
      const list = (key: string) => [...text.matchAll(new RegExp(`^# ${key}: (.+)$`, 'gm'))].flatMap((match) => match[1]!.trim().split(/\s+/));
      return {
        name: name.replace(/\.yaml$/, ''),
        file,
        release: directive('test-release') ?? 'tempo',
        namespace: directive('test-namespace') ?? 'observability',
        allow: list('test-allow'),
        external: list('test-external'),
      };
    });
}
