import { buildChart } from './chart.ts';
import { BuildError } from './errors.ts';
import { driftedFiles, writeOutput } from './output.ts';
import { paths, relative } from './paths.ts';

/**
 * The one build entry point.
 *   npm run build   renders the chart, values files, types and README table from their sources
 *   npm run check   fails when what is committed differs from what the build produces
 */
function main(argv: string[]): number {
  const output = buildChart();
  if (argv.includes('--check')) {
    const drifted = driftedFiles(output, paths.chart);
    if (drifted.length > 0) {
      console.error(`Generated files are out of date; run npm run build and commit:\n  ${drifted.join('\n  ')}`);
      return 1;
    }
    console.log(`All ${output.size} generated files match their sources.`);
    return 0;
  }
  writeOutput(output, paths.chart);
  console.log(`Built ${output.size} files into ${relative(paths.chart)}/, README.md, docs/ and build/generated/.`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`Build failed: ${error.message}`);
  process.exitCode = 1;
}
