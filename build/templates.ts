import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { BuildError } from './errors.ts';
import { generatedNotice } from './text.ts';

export interface RenderedFile {
  /** Path inside the chart, with forward slashes. */
  path: string;
  content: string;
}

/**
 * Renders a templates/ tree: `.hbs` files through Handlebars (strict, no HTML escaping) with the build
 * context, every other file copied as it is. Each output starts with a notice naming its source.
 */
export function renderTemplateTree(templatesDir: string, context: object, sourceLabel = 'templates'): RenderedFile[] {
  return listFiles(templatesDir).map((relativePath) => {
    const file = path.join(templatesDir, relativePath);
    const source = `${sourceLabel}/${relativePath}`;
    const text = readFileSync(file, 'utf8');
    const isHandlebars = relativePath.endsWith('.hbs');
    const outputPath = isHandlebars ? relativePath.slice(0, -'.hbs'.length) : relativePath;
    const body = isHandlebars ? renderHandlebars(source, text, context) : text;
    return { path: outputPath, content: withNotice(outputPath, body, source) };
  });
}

export function renderHandlebars(source: string, text: string, context: object): string {
  let template: Handlebars.TemplateDelegate;
  try {
    // parse() throws on a malformed template at once; compile() alone would wait for the first render.
    Handlebars.parse(text);
    template = Handlebars.compile(text, { noEscape: true, strict: true });
  } catch (error) {
    throw new BuildError(source, `malformed Handlebars template: ${firstLine(error)}`);
  }
  try {
    return template(context);
  } catch (error) {
    throw new BuildError(source, `cannot render: ${firstLine(error)}`);
  }
}

/** Puts the generated-file notice on the first line, in the comment syntax the file's reader ignores. */
function withNotice(outputPath: string, body: string, source: string): string {
  const notice = generatedNotice(source);
  const isGoTemplate = outputPath.startsWith('templates/');
  if (isGoTemplate) return `{{- /* ${notice} */ -}}\n${body}`;
  if (outputPath.endsWith('.md')) return `<!-- ${notice} -->\n${body}`;
  if (/\.(ya?ml)$/.test(outputPath) || path.basename(outputPath) === '.helmignore') return `# ${notice}\n${body}`;
  throw new BuildError(source, 'has no known comment syntax for the generated-file notice (add one in build/templates.ts)');
}

/** Every file under a folder, as paths relative to it, in name order (folders walked in place). */
export function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const relativePath = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(path.join(dir, entry.name), relativePath) : [relativePath];
    });
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n').filter(Boolean).join(' ');
}
