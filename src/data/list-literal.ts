/**
 * Lists written in one cell, as pandas exports write them: a Python list literal
 * (`[1, 5, 9]`, `['first tweet', "it's here"]`, what `str(list)` gives), or a JSON array,
 * which is nearly a subset. Items are numbers or strings; strings may use single or double
 * quotes, backslash escapes (`\n \t \\ \' \" \xhh \uXXXX \UXXXXXXXX`, octal) and an `r` or `u`
 * prefix. Hand-written because the cells are Python, not JSON: `JSON.parse` refuses `'a'`.
 */

export type ListItem = string | number;

export type ParsedList = { readonly items: ListItem[] } | { readonly error: string };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\x07',
  '/': '/', // JSON's \/; Python keeps the backslash, but no Python writer emits it
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

class Cursor {
  i = 0;
  constructor(readonly s: string) {}

  skipSpace(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] as string)) this.i++;
  }

  peek(): string | undefined {
    return this.s[this.i];
  }

  /** Where a problem is, for the reason: `at character 7`. */
  at(): string {
    return this.i >= this.s.length ? 'at the end' : `at character ${this.i + 1}`;
  }
}

function hexEscape(c: Cursor, digits: number, what: string): string {
  const hex = c.s.slice(c.i, c.i + digits);
  if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) throw new Error(`a ${what} escape needs ${digits} hex digits ${c.at()}`);
  c.i += digits;
  const code = parseInt(hex, 16);
  if (code > 0x10ffff) throw new Error(`escape \\U${hex} is past the last code point`);
  return String.fromCodePoint(code);
}

/** A quoted string; the cursor is on its opening quote, `raw` for an r'' string. */
function quoted(c: Cursor, raw: boolean): string {
  const q = c.s[c.i] as string;
  const triple = c.s.startsWith(q.repeat(3), c.i);
  c.i += triple ? 3 : 1;
  let out = '';
  for (;;) {
    if (c.i >= c.s.length) throw new Error(`a string is never closed (it opens with ${triple ? q.repeat(3) : q})`);
    const ch = c.s[c.i] as string;
    if (ch === q && (!triple || c.s.startsWith(q.repeat(3), c.i))) {
      c.i += triple ? 3 : 1;
      return out;
    }
    if (ch !== '\\') {
      if ((ch === '\n' || ch === '\r') && !triple) throw new Error(`a line break inside a '...' string ${c.at()} (write it as \\n)`);
      out += ch;
      c.i++;
      continue;
    }
    const next = c.s[c.i + 1];
    if (next === undefined) throw new Error('a string ends in a lone backslash');
    if (raw) {
      // r'...': the backslash stays; it only keeps a quote from closing the string.
      out += ch + next;
      c.i += 2;
      continue;
    }
    c.i += 2;
    if (next in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[next];
    else if (next === 'x') out += hexEscape(c, 2, '\\x');
    else if (next === 'u') out += hexEscape(c, 4, '\\u');
    else if (next === 'U') out += hexEscape(c, 8, '\\U');
    else if (next === '\n') continue; // a backslash-newline joins lines
    else if (next === '\r') {
      if (c.s[c.i] === '\n') c.i++;
    } else if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{0,2}/.exec(c.s.slice(c.i))?.[0] ?? '';
      c.i += oct.length;
      out += String.fromCharCode(parseInt(next + oct, 8));
    } else out += `\\${next}`; // Python keeps an unknown escape as written
  }
}

function item(c: Cursor): ListItem {
  const ch = c.peek();
  if (ch === "'" || ch === '"') return quoted(c, false);
  const prefix = /^([rRuU])(?=['"])/.exec(c.s.slice(c.i, c.i + 2));
  if (prefix) {
    c.i++;
    return quoted(c, prefix[1] === 'r' || prefix[1] === 'R');
  }
  const num = NUMBER.exec(c.s.slice(c.i));
  if (num) {
    c.i += num[0].length;
    return Number(num[0]);
  }
  if (ch === '[' || ch === '(' || ch === '{') throw new Error(`a nested list or dict ${c.at()}: items must be numbers or strings`);
  const word = /^[A-Za-z_]\w*/.exec(c.s.slice(c.i))?.[0];
  throw new Error(word ? `${word} ${c.at()}: items must be numbers or quoted strings` : `unexpected ${JSON.stringify(ch)} ${c.at()}`);
}

/**
 * Parses `text` as a Python list literal or JSON array (surrounding space allowed, a trailing
 * comma too). Returns the items, or why the text is not such a list.
 */
export function parseListLiteral(text: string): ParsedList {
  const c = new Cursor(text);
  try {
    c.skipSpace();
    if (c.peek() !== '[') throw new Error(`a list starts with [ (got ${JSON.stringify(text.trim().slice(0, 20))})`);
    c.i++;
    const items: ListItem[] = [];
    c.skipSpace();
    while (c.peek() !== ']') {
      if (c.peek() === undefined) throw new Error('the list is never closed with ]');
      items.push(item(c));
      c.skipSpace();
      const sep = c.peek();
      if (sep === ',') {
        c.i++;
        c.skipSpace();
      } else if (sep !== ']') throw new Error(sep === undefined ? 'the list is never closed with ]' : `expected , or ] ${c.at()}, got ${JSON.stringify(sep)}`);
    }
    c.i++;
    c.skipSpace();
    if (c.i < text.length) throw new Error(`text after the closing ] ${c.at()}`);
    return { items };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
