/** A parsed YAML file that can say where any path is, as 1-based line and column. */
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Diagnostic } from '../errors';

export type Path = readonly (string | number)[];

export function pathText(path: Path): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

export class YamlFile {
  private constructor(
    readonly file: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Parses text; YAML syntax errors come back as diagnostics. */
  static parse(file: string, text: string): { yaml: YamlFile; errors: Diagnostic[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
    const yaml = new YamlFile(file, doc, lines);
    // Later YAML errors mostly follow from the first; one clear message is more use.
    const errors = doc.errors.slice(0, 1).map((e) => {
      const duplicate = e.code === 'DUPLICATE_KEY';
      const key = text.slice(e.pos[0]).split('\n')[0].split(':')[0].trim();
      const message = duplicate
        ? `duplicate key '${key}': each key may appear once in a map`
        : `YAML syntax error: ${e.message.split('\n')[0]}`;
      return yaml.at(e.pos[0], [], message);
    });
    return { yaml, errors };
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  /** A diagnostic at the value of `path` (or its key with `onKey`; or the nearest parent that exists). */
  diag(path: Path, message: string, onKey = false): Diagnostic {
    return this.at(this.offsetOf(path, onKey), path, message);
  }

  /** A diagnostic at a character inside a one-line scalar value (e.g. where a filter goes wrong). */
  diagInValue(path: Path, offsetInValue: number, message: string): Diagnostic {
    const node = this.doc.getIn(path, true) as Node | undefined;
    if (!isScalar(node) || !node.range || (node.type !== 'PLAIN' && node.type !== 'QUOTE_DOUBLE' && node.type !== 'QUOTE_SINGLE')) {
      return this.diag(path, message);
    }
    const quote = node.type === 'PLAIN' ? 0 : 1;
    return this.at(node.range[0] + quote + offsetInValue, path, message);
  }

  private at(offset: number, path: Path, message: string): Diagnostic {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col, path: pathText(path), message };
  }

  private offsetOf(path: Path, onKey: boolean): number {
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return offset;
        if (last && onKey) return rangeStart(pair.key) ?? offset;
        node = pair.value;
        offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        if (node === undefined) return offset;
        offset = rangeStart(node) ?? offset;
      } else {
        return offset;
      }
    }
    return offset;
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | undefined)?.range?.[0];
}
