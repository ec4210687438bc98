// The template engine for pages and mails, with TEMPLATES_DIR layered over the
// shipped views/: a template is read from TEMPLATES_DIR when a file of the same
// relative name exists there, else from views/. Layouts and partials resolve
// the same way, so an operator can replace layout.eta alone and keep every
// page, or one mail and keep its layout.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Eta } from 'eta';

export interface TemplateOptions {
  /** The shipped views directory. */
  viewsDir: string;
  /** TEMPLATES_DIR; undefined: the shipped views only. */
  overridesDir?: string | undefined;
  cache?: boolean;
  autoEscape?: boolean;
  /** Eta's trimming; false keeps text mails' line breaks as written. */
  autoTrim?: false;
}

function inside(parent: string, file: string): boolean {
  const relative = path.relative(parent, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export function createTemplates(options: TemplateOptions): Eta {
  const viewsDir = path.resolve(options.viewsDir);
  const overridesDir = options.overridesDir === undefined ? undefined : path.resolve(options.overridesDir);
  const eta = new Eta({
    views: viewsDir,
    cache: options.cache ?? true,
    autoEscape: options.autoEscape ?? true,
    ...(options.autoTrim === false && { autoTrim: false }),
    defaultExtension: '.eta',
  });

  eta.resolvePath = function resolveLayered(template, resolveOptions) {
    const name = path.extname(template) ? template : `${template}.eta`;
    // Where the including template sits, as a name relative to the views:
    // an overriding layout's './header' is the shipped header unless overridden too.
    const from = resolveOptions?.filepath;
    const base = from && overridesDir && inside(overridesDir, from) ? path.join(viewsDir, path.relative(overridesDir, from)) : from;
    const shipped = base && !name.startsWith('/') ? path.join(path.dirname(base), name) : path.join(viewsDir, name);
    if (!inside(viewsDir, shipped)) throw new Error(`Template '${template}' is not in the views directory`);
    if (overridesDir) {
      const override = path.join(overridesDir, path.relative(viewsDir, shipped));
      if (existsSync(override)) return override;
    }
    return shipped;
  };
  return eta;
}
