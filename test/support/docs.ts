/**
 * The project's Markdown as tests read it: fenced blocks and what their info string marks, links
 * and heading anchors, and the shell lines of runnable blocks split into argv for `run(argv, io)`.
 *
 * Marks after a fence's language (see docs/testing.md, "Examples in the docs are tests"):
 * - `sh runnable`: every line is a `uvpv` command that needs nothing running; the unit doc test runs it.
 * - `sh stack`: a `uvpv` command that needs the local stack; test/integration/docs-stack.test.ts runs it.
 * - `<lang> file=NAME`: written as NAME into the document's scratch folder before the blocks after it run.
 * - `<lang> stdout` / `<lang> stderr`: what the last command of the block just before prints; a line
 *   that starts with `…` (after an optional `--` or `#`) stands for any number of lines left out.
 * A comment `# exit N` on a command's line, or on its own line before it, says it exits N (else 0).
 */
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../src/cli/run';
import { memoryIo } from '../../src/io/io';

export const ROOT = resolve(__dirname, '..', '..');

/** Every Markdown file the project publishes, relative to the root. */
export function docFiles(): string[] {
  const pages = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', 'CHANGELOG.md', ...pages];
}

export function readDoc(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

export const MARKS = ['runnable', 'stack', 'stdout', 'stderr'] as const;
export type CommandMark = 'runnable' | 'stack';

export interface Fence {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  /** The words after the language: marks, and `file=NAME`. */
  readonly marks: readonly string[];
  readonly body: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/** The fenced code blocks of a Markdown text, in order. */
export function fences(file: string, text: string): Fence[] {
  const lines = text.split('\n');
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, ticks, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]);
      if (close && close[2].startsWith(ticks[0]) && close[2].length >= ticks.length && close[3].trim() === '') break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    const [lang = '', ...marks] = info.trim().split(/\s+/).filter(Boolean);
    found.push({ file, line: i + 1, lang, marks, body: body.join('\n') });
    i = j;
  }
  return found;
}

/** The text outside fenced blocks and inline code, line numbers kept: where links and headings live. */
export function prose(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const m = FENCE.exec(line);
    if (fence === undefined && m) fence = m[2];
    else if (fence !== undefined && m && m[2].startsWith(fence[0]) && m[2].length >= fence.length && m[3].trim() === '') {
      fence = undefined;
      out.push('');
      continue;
    }
    out.push(fence === undefined ? line.replace(/(`+)[^`]*?\1/g, '') : '');
  }
  return out;
}

/** GitHub's anchor for a heading text (github-slugger: lower case, punctuation dropped, spaces as '-'). */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** The anchors of a Markdown text's headings, repeated ones numbered as GitHub does (`x`, `x-1`). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const lines = text.split('\n');
  let fence: string | undefined;
  for (const line of lines) {
    const m = FENCE.exec(line);
    if (m && (fence === undefined || (m[2].startsWith(fence[0]) && m[3].trim() === ''))) {
      fence = fence === undefined ? m[2] : undefined;
      continue;
    }
    const h = fence === undefined ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (!h) continue;
    const base = slug(h[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

export interface Link {
  readonly line: number;
  readonly target: string;
}

/** Links and images whose target is inside the repository (no scheme). */
export function relativeLinks(text: string): Link[] {
  const links: Link[] = [];
  prose(text).forEach((line, i) => {
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1])) links.push({ line: i + 1, target: m[1] });
    }
  });
  return links;
}

export interface DocCommand {
  /** 1-based line in the document. */
  readonly line: number;
  readonly text: string;
  readonly env: Readonly<Record<string, string>>;
  readonly argv: readonly string[];
  readonly exit: number;
}

const SHELL_ONLY = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`']);

/**
 * One shell line as words: whitespace separates, '...' is literal, "..." takes \" and \\, a
 * backslash escapes one character, and `#` at a word's start begins a comment (returned apart).
 * Pipes, redirections, `;`, `&&` and substitutions are refused: a runnable line is one command.
 */
export function splitShellLine(line: string): { words: string[]; comment: string } {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const add = (s: string) => (word = (word ?? '') + s);
  while (i < line.length) {
    const c = line[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '#' && word === undefined) {
      return { words, comment: line.slice(i) };
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${line}`);
      add(line.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (; j < line.length && line[j] !== '"'; j++)
        s += line[j] === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\') ? line[++j] : line[j];
      if (j >= line.length) throw new Error(`unclosed " in: ${line}`);
      add(s);
      i = j + 1;
    } else if (c === '\\' && i + 1 < line.length) {
      add(line[i + 1]);
      i += 2;
    } else if (SHELL_ONLY.has(c)) {
      throw new Error(`'${c}' is not supported in a runnable example (one uvpv command a line): ${line}`);
    } else {
      add(c);
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return { words, comment: '' };
}

const EXIT = /^#\s*exit\s+(\d+)\s*$/;

/** The commands of a runnable or stack block: lines joined at a trailing `\`, comments read for `# exit N`. */
export function commandsOf(fence: Fence): DocCommand[] {
  const commands: DocCommand[] = [];
  const lines = fence.body.split('\n');
  let pendingExit: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = fence.line + 1 + i;
    let text = lines[i];
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]}`;
    const { words, comment } = splitShellLine(text.trim());
    const exitMark = EXIT.exec(comment.trim());
    if (words.length === 0) {
      if (exitMark) pendingExit = Number(exitMark[1]);
      continue;
    }
    const env: Record<string, string> = {};
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) {
      const [name, ...value] = words[0].split('=');
      env[name] = value.join('=');
      words.shift();
    }
    if (words[0] !== 'uvpv') throw new Error(`${fence.file}:${line}: a runnable example runs uvpv only; got: ${text.trim()}`);
    commands.push({ line, text: text.trim(), env, argv: words.slice(1), exit: exitMark ? Number(exitMark[1]) : (pendingExit ?? 0) });
    pendingExit = undefined;
  }
  if (pendingExit !== undefined) throw new Error(`${fence.file}:${fence.line}: '# exit ${pendingExit}' is followed by no command`);
  return commands;
}

/** Whether `actual` is `expected`, where a line of `expected` starting with `…` stands for any lines. */
export function matchesWithElisions(expected: string, actual: string): boolean {
  const ELIDED = /^\s*(--|#)?\s*…/;
  const want = expected.replace(/\n$/, '').split('\n');
  const got = actual.replace(/\n$/, '').split('\n');
  const segments: string[][] = [[]];
  for (const line of want) {
    if (ELIDED.test(line)) segments.push([]);
    else segments[segments.length - 1].push(line);
  }
  if (segments.length === 1) return want.join('\n') === got.join('\n');
  const at = (lines: string[], from: number) => lines.every((l, k) => got[from + k] === l);
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (!at(first, 0) || !at(last, got.length - last.length)) return false;
  let pos = first.length;
  for (const segment of segments.slice(1, -1)) {
    let found = -1;
    for (let p = pos; p + segment.length <= got.length - last.length; p++) {
      if (at(segment, p)) {
        found = p;
        break;
      }
    }
    if (found < 0) return false;
    pos = found + segment.length;
  }
  return pos <= got.length - last.length;
}

/** A folder to run a document's examples in: the repository's top-level entries linked in, so paths read as in the README. */
export function scratchFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'uvpv-docs-'));
  for (const entry of readdirSync(ROOT)) {
    if (entry.startsWith('.') || entry === 'node_modules' || entry === 'dist') continue;
    symlinkSync(join(ROOT, entry), join(dir, entry));
  }
  return dir;
}

/**
 * Runs a document's blocks of one mark in order, in one scratch folder (file blocks first written
 * where they stand), each command in process; returns every way the document and its run disagree.
 */
export async function runExamples(file: string, mark: CommandMark, baseEnv: NodeJS.ProcessEnv): Promise<string[]> {
  const blocks = fences(file, readDoc(file));
  const problems: string[] = [];
  const dir = scratchFolder();
  let last: { command: DocCommand; out: string; err: string } | undefined;
  for (const [k, block] of blocks.entries()) {
    const named = block.marks.find((m) => m.startsWith('file='));
    if (named) {
      writeFileSync(join(dir, named.slice('file='.length)), `${block.body}\n`);
      continue;
    }
    const stream = block.marks.includes('stdout') ? 'out' : block.marks.includes('stderr') ? 'err' : undefined;
    if (stream) {
      const before = blocks[k - 1];
      if (!before?.marks.includes(mark) || last === undefined) continue;
      if (!matchesWithElisions(block.body, last[stream])) {
        problems.push(
          `${file}:${block.line}: ${last.command.text} printed on std${stream}:\n${last[stream]}\n(the block says:\n${block.body})`,
        );
      }
      continue;
    }
    if (!block.marks.includes(mark)) continue;
    for (const command of commandsOf(block)) {
      const io = memoryIo({ ...baseEnv, ...command.env }, dir);
      const code = await run(command.argv, io);
      last = { command, out: io.out, err: io.err };
      if (code !== command.exit) {
        problems.push(`${file}:${command.line}: ${command.text} exited ${code}, the docs say ${command.exit}\n${io.err}`);
      }
    }
  }
  return problems;
}
