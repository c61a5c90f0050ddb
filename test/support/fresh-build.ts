/**
 * src/ compiled into a temporary folder laid out like the package (dist/, bin/, package.json), so a
 * test can run uvpv as a fresh node process without trusting a dist/ that may be stale. Each file
 * is transpiled alone (tsconfig has isolatedModules, so that is what tsc emits too); type errors
 * are the typecheck's business.
 */
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

export const ROOT = resolve(__dirname, '..', '..');

export interface FreshBuild {
  /** The package root: bin/uvpv.js, dist/, package.json, node_modules (a link to the project's). */
  dir: string;
  remove(): void;
}

export function freshBuild(): FreshBuild {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-build-'));
  const config: unknown = ts.readConfigFile(join(ROOT, 'tsconfig.build.json'), (path) => ts.sys.readFile(path)).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const compilerOptions: ts.CompilerOptions = { ...options, sourceMap: false, declaration: false };
  const walk = (from: string) => {
    for (const entry of readdirSync(from)) {
      const file = join(from, entry);
      if (statSync(file).isDirectory()) walk(file);
      else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) {
        const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file });
        const out = join(dir, 'dist', relative(join(ROOT, 'src'), file)).replace(/\.ts$/, '.js');
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, outputText);
      }
    }
  };
  walk(join(ROOT, 'src'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
