/**
 * Building the web page with Vite (Node-only tooling: the page never imports
 * this file). `buildWeb()` bundles src/web/index.html and everything it
 * imports (the core: model, sim, shell, cni-emulator, scenarios, diagram) for
 * the browser; `nodeOnlyUses()` lists every use of a Node-only module or global
 * in the repository's own modules of that bundle, so CI fails when the core
 * picks up `node:crypto`, `Buffer` or `process` again.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = resolve(WEB_DIR, '..', '..');
export const DEFAULT_OUT_DIR = join(REPO_DIR, 'dist', 'web');

export interface WebBuild {
  readonly outDir: string;
  /** Absolute paths of the repository's own modules in the bundle (src/**). */
  readonly ownModules: readonly string[];
  /** Bare imports Vite could not bundle for the browser (Node built-ins it externalised). */
  readonly externalised: readonly string[];
}

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

export async function buildWeb(outDir: string = DEFAULT_OUT_DIR, opts: { readonly minify?: boolean } = {}): Promise<WebBuild> {
  const { build } = await import('vite');
  const moduleIds: string[] = [];
  const externalised: string[] = [];
  await build({
    root: WEB_DIR,
    base: './',
    configFile: false,
    logLevel: 'warn',
    clearScreen: false,
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: opts.minify ?? true,
      // The Graphviz wasm is inlined in its module (about 1.5 MB); say so once instead of warning.
      chunkSizeWarningLimit: 4096,
      reportCompressedSize: false,
    },
    plugins: [
      {
        name: 'podnet-node-only-guard',
        enforce: 'pre',
        resolveId(source: string, importer: string | undefined) {
          if (importer && !importer.includes('node_modules') && NODE_BUILTINS.has(source)) externalised.push(`${relative(REPO_DIR, importer)} imports ${source}`);
          return null;
        },
        generateBundle() {
          for (const id of this.getModuleIds()) moduleIds.push(id);
        },
      },
    ],
  });
  const src = join(REPO_DIR, 'src') + '/';
  const ownModules = [...new Set(moduleIds.map((id) => id.split('?')[0]!))].filter((id) => id.startsWith(src) && /\.ts$/.test(id)).sort();
  return { outDir, ownModules, externalised };
}

/** Node-only globals a module of the core must not use (it runs in a browser too). */
const NODE_GLOBALS = new Set(['Buffer', 'process', 'require', '__dirname', '__filename', 'global', 'setImmediate']);

/**
 * Every use of a Node built-in module or a Node-only global in these files, as
 * `path:line: what`. Reads the TypeScript syntax tree, so comments and strings
 * that mention Buffer do not count, and neither do local names or properties.
 */
export async function nodeOnlyUses(files: readonly string[]): Promise<string[]> {
  const ts = (await import('typescript')).default;
  const out: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const sf = ts.createSourceFile(f, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const where = (n: import('typescript').Node): string => `${relative(REPO_DIR, f)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
    const declared = new Set<string>();
    const collect = (n: import('typescript').Node): void => {
      if ((ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name && ts.isIdentifier(n.name)) declared.add(n.name.text);
      if (ts.isImportSpecifier(n) || ts.isImportClause(n) || ts.isNamespaceImport(n)) if (n.name) declared.add(n.name.text);
      ts.forEachChild(n, collect);
    };
    collect(sf);
    const visit = (n: import('typescript').Node): void => {
      if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier) && NODE_BUILTINS.has(n.moduleSpecifier.text)) {
        if (!(ts.isImportDeclaration(n) && n.importClause?.isTypeOnly)) out.push(`${where(n)}: imports ${n.moduleSpecifier.text}`);
      } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0]) && NODE_BUILTINS.has(n.arguments[0].text)) {
        out.push(`${where(n)}: imports ${n.arguments[0].text}`);
      } else if (ts.isIdentifier(n) && NODE_GLOBALS.has(n.text) && !declared.has(n.text)) {
        const p = n.parent;
        const isName =
          (ts.isPropertyAccessExpression(p) && p.name === n) ||
          (ts.isPropertyAssignment(p) && p.name === n) ||
          (ts.isPropertySignature(p) && p.name === n) ||
          (ts.isMethodDeclaration(p) && p.name === n) ||
          (ts.isPropertyDeclaration(p) && p.name === n) ||
          ts.isTypeReferenceNode(p) ||
          (ts.isQualifiedName(p) && p.right === n);
        if (!isName) out.push(`${where(n)}: uses ${n.text}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}
