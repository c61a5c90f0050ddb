/**
 * The docs are tested like code: every relative link and anchor resolves, every example marked
 * `sh runnable` runs (in process, nothing running) and exits as it says, and the README stays short.
 * Examples marked `sh stack` run in test/integration/docs-stack.test.ts. See test/support/docs.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import {
  MARKS,
  ROOT,
  anchors,
  commandsOf,
  docFiles,
  fences,
  matchesWithElisions,
  prose,
  readDoc,
  relativeLinks,
  runExamples,
  splitShellLine,
} from '../support/docs';

const FILES = docFiles();

test.each(FILES)('%s: every relative link resolves to a file, and its #anchor to a heading', (file) => {
  const broken: string[] = [];
  for (const { line, target } of relativeLinks(readDoc(file))) {
    const [path, anchor] = target.split('#', 2);
    const resolved = path === '' ? join(ROOT, file) : normalize(join(ROOT, dirname(file), decodeURI(path)));
    if (relative(ROOT, resolved).startsWith('..')) broken.push(`${file}:${line}: ${target} leaves the repository`);
    else if (!existsSync(resolved)) broken.push(`${file}:${line}: ${target}: no such file`);
    else if (anchor !== undefined && (!resolved.endsWith('.md') || !anchors(readDoc(relative(ROOT, resolved))).has(anchor))) {
      broken.push(`${file}:${line}: ${target}: no heading with that anchor`);
    } else if (anchor === undefined && statSync(resolved).isDirectory() && !path.endsWith('/')) {
      broken.push(`${file}:${line}: ${target} is a folder; write it with a trailing /`);
    }
  }
  expect(broken).toEqual([]);
});

test.each(FILES)('%s: code blocks carry only known marks, and every runnable line is one uvpv command', (file) => {
  for (const block of fences(file, readDoc(file))) {
    const unknown = block.marks.filter((m) => !(MARKS as readonly string[]).includes(m) && !/^file=[\w.-]+$/.test(m));
    expect({ at: `${file}:${block.line}`, unknown }).toEqual({ at: `${file}:${block.line}`, unknown: [] });
    if (block.marks.includes('runnable') || block.marks.includes('stack')) expect(commandsOf(block).length).toBeGreaterThan(0);
  }
});

test.each(FILES)('%s: says nothing that needs a document outside the repository', (file) => {
  const outside = /\bthe issue\b|walk-through|pipeline-spec-v1|verify-expect-v1|\bshared\//i;
  const hits = prose(readDoc(file)).flatMap((line, i) => (outside.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
  expect(hits).toEqual([]);
});

test.each(FILES.filter((f) => fences(f, readDoc(f)).some((b) => b.marks.includes('runnable'))))(
  '%s: every runnable example exits as the docs say, and prints what they show',
  async (file) => {
    expect(await runExamples(file, 'runnable', {})).toEqual([]);
  },
);

test('the README is a five-minute read and names the test command CI runs', () => {
  const readme = readDoc('README.md');
  expect(readme.length).toBeLessThan(15000);
  expect(readme).toContain('npm test');
});

describe('the helpers the doc tests stand on', () => {
  test('a shell line splits as sh would for plain words, quotes, escapes and a comment', () => {
    expect(splitShellLine(`uvpv produce 'a b.yaml' --duration "30 s" x\\ y  # exit 2`)).toEqual({
      words: ['uvpv', 'produce', 'a b.yaml', '--duration', '30 s', 'x y'],
      comment: '# exit 2',
    });
    expect(splitShellLine(`uvpv validate "say \\"hi\\"" '${'${VAR}'}'`).words).toEqual(['uvpv', 'validate', 'say "hi"', '${VAR}']);
    expect(() => splitShellLine('uvpv generate x.yaml > out.sql')).toThrow(/'>' is not supported/);
  });

  test('commands take env assignments, continuation lines and # exit N, on their line or the one before', () => {
    const block = {
      file: 'x.md',
      line: 10,
      lang: 'sh',
      marks: ['runnable'],
      body: 'A=1 uvpv generate \\\n  x.yaml\n# exit 2\nuvpv validate bad.yaml\nuvpv plan x.yaml   # exit 3',
    };
    expect(commandsOf(block).map(({ line, env, argv, exit }) => ({ line, env, argv, exit }))).toEqual([
      { line: 11, env: { A: '1' }, argv: ['generate', 'x.yaml'], exit: 0 },
      { line: 14, env: {}, argv: ['validate', 'bad.yaml'], exit: 2 },
      { line: 15, env: {}, argv: ['plan', 'x.yaml'], exit: 3 },
    ]);
    expect(() => commandsOf({ ...block, body: 'npx uvpv demo' })).toThrow(/runs uvpv only/);
  });

  test('an output block matches exactly, or with … standing for the lines left out', () => {
    expect(matchesWithElisions('a\nb\n', 'a\nb\n')).toBe(true);
    expect(matchesWithElisions('a\nb', 'a\nc')).toBe(false);
    expect(matchesWithElisions('a\n-- …\nd\n…\nf', 'a\nb\nc\nd\ne\nf\n')).toBe(true);
    expect(matchesWithElisions('a\n…\ne\n…\nf', 'a\nb\nc\nd\nf\n')).toBe(false);
    expect(matchesWithElisions('b\n…', 'a\nb\nc')).toBe(false);
  });

  test("anchors are GitHub's: lower case, punctuation dropped, repeats numbered", () => {
    expect([
      ...anchors('# uvpv\n## Breakdowns and top-N: `by` and `topn`\n## Exit codes\n```sh\n# not a heading\n```\n## Exit codes\n'),
    ]).toEqual(['uvpv', 'breakdowns-and-top-n-by-and-topn', 'exit-codes', 'exit-codes-1']);
  });
});
