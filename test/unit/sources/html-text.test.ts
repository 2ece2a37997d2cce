import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities, htmlToText, markdownToText } from '../../../functions/sources/html-text.js';

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
});
