import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities, htmlToText, markdownToText } from '../../../functions/sources/formats/html-text.js';

describe('htmlToText', () => {
  it('strips tags and turns <br> and </p> into line breaks', () => {
    expect(htmlToText('<p>First <b>bold</b> line<br>second line<br />third</p><p>Next paragraph</p>')).toBe(
      'First bold line\nsecond line\nthird\n\nNext paragraph',
    );
  });

  it('decodes named and numeric entities', () => {
    expect(htmlToText('A &amp; B &lt;C&gt; &quot;q&quot; it&#39;s it&apos;s a&nbsp;b &mdash; don&rsquo;t &#8212; &#x2014;')).toBe(
      'A & B <C> "q" it\'s it\'s a b \u2014 don\u2019t \u2014 \u2014',
    );
  });

  it('keeps escaped markup as text instead of stripping it', () => {
    expect(htmlToText('Use &lt;script&gt; carefully')).toBe('Use <script> carefully');
  });

  it('keeps comparison signs that are not tags', () => {
    expect(htmlToText('Auth0 Lock <= 11.30.0 and a < b > c')).toBe('Auth0 Lock <= 11.30.0 and a < b > c');
  });

  it('folds spaces and tabs, trims lines and collapses runs of blank lines', () => {
    expect(htmlToText('  a \t  b  <br><br><br><br>   c  ')).toBe('a b\n\nc');
  });

  it('reads tags whose quoted attributes hold ">"', () => {
    expect(htmlToText('<a title="x > y" href=\'/z\'>link</a> text')).toBe('link text');
  });

  it('drops comments, scripts and styles', () => {
    expect(htmlToText('<!-- hidden --><style>p{}</style><script>alert(1)</script>shown')).toBe('shown');
  });
});

describe('decodeHtmlEntities', () => {
  it('leaves unknown names and impossible code points as written', () => {
    expect(decodeHtmlEntities('&bogus; &#0; &#xD800; &#65;')).toBe('&bogus; &#0; &#xD800; A');
  });
});

describe('markdownToText', () => {
  it('drops emphasis markers and heading hashes', () => {
    expect(markdownToText('### What is new ###\n\n**Bold** and __strong__ text')).toBe('What is new\n\nBold and strong text');
  });

  it('writes links as "text (url)"', () => {
    expect(markdownToText('See [the docs](https://auth0.com/docs) and [https://x.test](https://x.test).')).toBe(
      'See the docs (https://auth0.com/docs) and https://x.test.',
    );
  });

  it('removes code backticks but keeps identifiers with underscores', () => {
    expect(markdownToText('Set `is_domain_connection: true` on the `login_hint`')).toBe(
      'Set is_domain_connection: true on the login_hint',
    );
  });

  it('folds white space and collapses blank lines', () => {
    expect(markdownToText('\n a   b \n\n\n\n c\t d \n')).toBe('a b\n\nc d');
  });

  it('turns backslash escapes into the characters they escape, leaving escaped emphasis as written', () => {
    expect(markdownToText('Fixed **\\[ETA Aug 2026\\].** for \\_\\_init\\_\\_ and \\*stars\\*, 60\\>50')).toBe(
      'Fixed [ETA Aug 2026]. for __init__ and *stars*, 60>50',
    );
  });

  it('drops escaped hashes after a heading marker, as Google writes its incident reports', () => {
    expect(markdownToText('## \\# Incident Report\n## \\#\\# Summary\nOn Wednesday')).toBe('Incident Report\nSummary\nOn Wednesday');
  });

  it('keeps backslashes inside code and turns a backslash line break into a line break', () => {
    expect(markdownToText('Use `a\\.b` or\n```\nx\\*y\n```\n**Description** \\\nBetween 04:36')).toBe(
      'Use a\\.b or\n\nx\\*y\n\nDescription\nBetween 04:36',
    );
  });
});

// The conversions as plain sequences of rewrites, each applied to the whole text: what the fast paths must equal.
const REFERENCE_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', mdash: '\u2014', ndash: '\u2013', hellip: '\u2026',
  lsquo: '\u2018', rsquo: '\u2019', ldquo: '\u201c', rdquo: '\u201d', laquo: '\u00ab', raquo: '\u00bb', bull: '\u2022',
  middot: '\u00b7', copy: '\u00a9', reg: '\u00ae', trade: '\u2122', deg: '\u00b0', times: '\u00d7', euro: '\u20ac',
  pound: '\u00a3',
};

function referenceCodePoint(code: number, original: string): string {
  return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? original : String.fromCodePoint(code);
}

function referenceDecode(text: string): string {
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g,
    (match, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (dec !== undefined) return referenceCodePoint(Number.parseInt(dec, 10), match);
      if (hex !== undefined) return referenceCodePoint(Number.parseInt(hex, 16), match);
      return (name !== undefined && REFERENCE_ENTITIES[name]) || match;
    },
  );
}

function referenceFold(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function referenceHtmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(/<(script|style)\b[^<>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p\s*>/gi, '\n\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(div|li|ul|ol|h[1-6]|tr|table|blockquote|pre)\s*>/gi, '\n')
    .replace(/<\/?[A-Za-z][A-Za-z0-9:-]*(?:\s(?:[^<>"']|"[^"<]*"|'[^'<]*')*)?\/?>/g, '');
  return referenceFold(referenceDecode(text));
}

function referenceMarkdownToText(markdown: string): string {
  const text = markdown
    .replace(/\r\n?/g, '\n')
    .replace(/\uE000/g, '')
    .replace(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)|\\([!-/:-@[-`{-~])|\\(?=\n)/g, (_match, code?: string, character?: string) =>
      code ?? (character !== undefined ? `\uE000${character}` : ''),
    )
    .replace(/^\s*```[^\n]*$/gm, '')
    .replace(/!?\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"\n]*")?\s*\)/g, (_match, label: string, url: string) => {
      const trimmed = label.trim();
      return trimmed === '' || trimmed === url ? url : `${trimmed} (${url})`;
    })
    .replace(/\*\*|__/g, '')
    .replace(/`+/g, '')
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+(?:(?:\uE000#)+[ \t]*)?(.*?)(?:[ \t]+#+)?[ \t]*$/gm, '$1')
    .replace(/\uE000/g, '');
  return referenceFold(text);
}

/** A small deterministic generator, so a failure names an input that can be replayed. */
function pseudoRandom(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % below;
  };
}

const PIECES = [
  '<', '>', '/', '!', '-', '<!--', '-->', '<br>', '<BR/>', '<br />', '<br\n/>', '</br>', '<p>', '</p>', '</P >', '</p/>',
  '<li>', '<li/>', '<li >', '<LI class="x">', '<li-x>', '</li>', '</div>', '</ul>', '</ol>', '</tr>', '</table>',
  '</tablex>', '<h1>', '</H6 >', '</pre>', '</blockquote>', '<script>', '</script>', '<STYLE>', '<style a="1">',
  '</style>', '<scripts>', '<b>', '</b>', '<x1>', '<small>', '</small>', '<strong>', '</strong>', '<a href="x>y">',
  '<a:b>', '</ p>', '< b>', '<3', '<=', 'p>', 'br>', "'", '"', '&amp;', '&lt;', '&#39;', '&#x2014;', '&nbsp;', '&bogus;',
  '&', ';', '#', '### ', '**', '__', '`', '```', '[', ']', '(', ')', '](', '[x](http://a.b)', ' ', '  ', '\t', '\n',
  '\r', '\r\n', '\f', '\v', '\u00a0', '\u2028', '\u2029', '\u3000', '\ufeff', '\u200a', 'a', 's', 'l', 'word', 'é', '’',
  '\\', '\\#', '\\*', '\\_', '\\`', '\\[', '\\\n', '\uE000',
];

/** The inputs on which `convert` and `reference` disagree (at most a few, to keep a failure readable). */
function disagreements(inputs: Iterable<string>, convert: (text: string) => string, reference: (text: string) => string) {
  const found: { input: string; got: string; expected: string }[] = [];
  for (const input of inputs) {
    const got = convert(input);
    const expected = reference(input);
    if (got !== expected && found.push({ input, got, expected }) >= 5) break;
  }
  return found;
}

function* randomMixes(seed: number, count: number): Generator<string> {
  const next = pseudoRandom(seed);
  for (let round = 0; round < count; round += 1) {
    let input = '';
    for (let length = next(24); length > 0; length -= 1) input += PIECES[next(PIECES.length)];
    yield input;
  }
}

function* whiteSpaceCases(): Generator<string> {
  for (let code = 0; code <= 0xffff; code += 1) {
    const char = String.fromCharCode(code);
    yield `a${char}${char}b`;
    yield `${char}\n${char}x${char}\n`;
    yield `x <br>${char}\n${char} y`;
    yield `a\n${char}\n${char}\n\nb`;
  }
}

describe('the fast paths of the text conversions', () => {
  it('give what the plain sequence of rewrites gives, for any mix of markup, entities and white space', () => {
    expect(disagreements(randomMixes(20261126, 30_000), htmlToText, referenceHtmlToText)).toEqual([]);
    expect(disagreements(randomMixes(1126, 30_000), markdownToText, referenceMarkdownToText)).toEqual([]);
    expect(disagreements(randomMixes(2026, 10_000), decodeHtmlEntities, referenceDecode)).toEqual([]);
  });

  it('fold every kind of white space as trimming each line would', () => {
    expect(disagreements(whiteSpaceCases(), htmlToText, referenceHtmlToText)).toEqual([]);
    expect(disagreements(whiteSpaceCases(), markdownToText, referenceMarkdownToText)).toEqual([]);
  });

  it('rewrite attribute-less tags in one pass and fall back for anything else', () => {
    const cases = [
      '<p><small>Apr 22, 20:14 UTC</small><br><strong>Resolved</strong> - Fixed.</p><p>Next</p>',
      '<ul><li>one</li><li/>two</ul><h2>Head</h2 >tail',
      '<a title="<br>">x</a>',
      '<<b>b>',
      '<li <b>x</b>>',
      '<script>alert(1)</script><p>shown</p>',
      '<!-- <br> --><p>after</p>',
      'a < b and c <= d, </ p>',
    ];
    expect(disagreements(cases, htmlToText, referenceHtmlToText)).toEqual([]);
    expect(htmlToText(cases[0]!)).toBe('Apr 22, 20:14 UTC\nResolved - Fixed.\n\nNext');
  });
});
