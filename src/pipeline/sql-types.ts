/**
 * The Flink SQL column types a spec may declare, parsed so that the compiler can print them
 * canonically and the reference model knows how JSON values decode into them.
 */

export type TypeFamily =
  | 'boolean'
  | 'integer'
  | 'decimal'
  | 'float'
  | 'string'
  | 'bytes'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamp_ltz'
  | 'array'
  | 'map'
  | 'row';

export interface SqlType {
  readonly family: TypeFamily;
  /** Canonical Flink SQL spelling, e.g. `INT`, `VARCHAR(20)`, `TIMESTAMP(3)`, `ARRAY<INT>`. */
  readonly sql: string;
  /** For integers: the bit width; for temporal types: fractional-second precision. */
  readonly precision?: number;
  readonly scale?: number;
}

const SIMPLE: Record<string, { family: TypeFamily; sql: string; precision?: number }> = {
  BOOLEAN: { family: 'boolean', sql: 'BOOLEAN' },
  TINYINT: { family: 'integer', sql: 'TINYINT', precision: 8 },
  SMALLINT: { family: 'integer', sql: 'SMALLINT', precision: 16 },
  INT: { family: 'integer', sql: 'INT', precision: 32 },
  INTEGER: { family: 'integer', sql: 'INT', precision: 32 },
  BIGINT: { family: 'integer', sql: 'BIGINT', precision: 64 },
  FLOAT: { family: 'float', sql: 'FLOAT' },
  DOUBLE: { family: 'float', sql: 'DOUBLE' },
  STRING: { family: 'string', sql: 'STRING' },
  BYTES: { family: 'bytes', sql: 'BYTES' },
  DATE: { family: 'date', sql: 'DATE' },
};

const SQL_TYPE_HELP =
  'a Flink SQL type such as INT, BIGINT, VARCHAR, STRING, DECIMAL(10, 2), DOUBLE, BOOLEAN, TIMESTAMP(3), DATE, ARRAY<INT>';

/** Parses a type; returns an error message when it is not a Flink SQL type. */
export function parseSqlType(text: string): SqlType | string {
  const p = new TypeParser(text);
  try {
    const t = p.type();
    p.end();
    return t;
  } catch (e) {
    return `'${text}' is not a Flink SQL type (${(e as Error).message}); expected ${SQL_TYPE_HELP}`;
  }
}

class TypeParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  type(): SqlType {
    const word = this.word();
    if (word === 'DOUBLE' && this.peekWord() === 'PRECISION') this.word();
    if (word in SIMPLE) return { ...SIMPLE[word] };
    switch (word) {
      case 'CHAR':
      case 'VARCHAR':
      case 'BINARY':
      case 'VARBINARY': {
        const n = this.optionalArgs(1);
        const family = word.endsWith('CHAR') ? 'string' : 'bytes';
        return { family, sql: n.length ? `${word}(${n[0]})` : word, precision: n[0] };
      }
      case 'DECIMAL':
      case 'DEC':
      case 'NUMERIC': {
        const [p = 10, s = 0] = this.optionalArgs(2);
        if (p < 1 || p > 38) throw new Error('DECIMAL precision must be 1..38');
        if (s < 0 || s > p) throw new Error('DECIMAL scale must be 0..precision');
        return { family: 'decimal', sql: `DECIMAL(${p}, ${s})`, precision: p, scale: s };
      }
      case 'TIME': {
        const [p = 0] = this.optionalArgs(1);
        this.withoutTimeZone();
        return { family: 'time', sql: `TIME(${p})`, precision: p };
      }
      case 'TIMESTAMP': {
        const [p = 6] = this.optionalArgs(1);
        if (p > 9) throw new Error('TIMESTAMP precision must be 0..9');
        if (this.peekWord() === 'WITH') {
          this.expectWords('WITH', 'LOCAL', 'TIME', 'ZONE');
          return { family: 'timestamp_ltz', sql: `TIMESTAMP_LTZ(${p})`, precision: p };
        }
        this.withoutTimeZone();
        return { family: 'timestamp', sql: `TIMESTAMP(${p})`, precision: p };
      }
      case 'TIMESTAMP_LTZ': {
        const [p = 6] = this.optionalArgs(1);
        return { family: 'timestamp_ltz', sql: `TIMESTAMP_LTZ(${p})`, precision: p };
      }
      case 'ARRAY': {
        this.expect('<');
        const el = this.type();
        this.expect('>');
        return { family: 'array', sql: `ARRAY<${el.sql}>` };
      }
      case 'MAP': {
        this.expect('<');
        const k = this.type();
        this.expect(',');
        const v = this.type();
        this.expect('>');
        return { family: 'map', sql: `MAP<${k.sql}, ${v.sql}>` };
      }
      case 'ROW': {
        this.expect('<');
        const fields: string[] = [];
        do {
          const name = this.identifier();
          fields.push(`\`${name}\` ${this.type().sql}`);
        } while (this.accept(','));
        this.expect('>');
        return { family: 'row', sql: `ROW<${fields.join(', ')}>` };
      }
      default:
        throw new Error(word ? `unknown type ${word}` : 'empty');
    }
  }

  end(): void {
    this.skipSpace();
    if (this.pos < this.src.length) throw new Error(`unexpected '${this.src.slice(this.pos)}'`);
  }

  private withoutTimeZone(): void {
    if (this.peekWord() === 'WITHOUT') this.expectWords('WITHOUT', 'TIME', 'ZONE');
  }

  private optionalArgs(max: number): number[] {
    if (!this.accept('(')) return [];
    const out: number[] = [];
    do {
      this.skipSpace();
      const m = /^\d+/.exec(this.src.slice(this.pos));
      if (!m) throw new Error('expected a number');
      this.pos += m[0].length;
      out.push(Number(m[0]));
    } while (out.length < max && this.accept(','));
    this.expect(')');
    return out;
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }

  private peekWord(): string {
    const save = this.pos;
    const w = this.word();
    this.pos = save;
    return w;
  }

  private word(): string {
    this.skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!m) return '';
    this.pos += m[0].length;
    return m[0].toUpperCase();
  }

  private identifier(): string {
    this.skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!m) throw new Error('expected a field name');
    this.pos += m[0].length;
    return m[0];
  }

  private expectWords(...words: string[]): void {
    for (const w of words) if (this.word() !== w) throw new Error(`expected ${words.join(' ')}`);
  }

  private accept(ch: string): boolean {
    this.skipSpace();
    if (this.src[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expect(ch: string): void {
    if (!this.accept(ch)) throw new Error(`expected '${ch}'`);
  }
}

/**
 * How Flink orders the values of a column type, given their plain text as CAST(… AS STRING) writes
 * it: integers by value, BOOLEAN FALSE before TRUE, text by its UTF-8 bytes (as Flink compares
 * strings). For the types whose plain text is unambiguous (what `by` and uv accept).
 */
export function plainTextOrder(family: TypeFamily | undefined): (a: string, b: string) => number {
  const integer = /^-?\d+$/;
  return (a, b) => {
    if (family === 'integer' && integer.test(a) && integer.test(b)) {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  };
}
