import { parseEnvFile } from './env-file.js';

describe('parseEnvFile', () => {
  it('reads what dotenv and node --env-file read', () => {
    const text = [
      '\uFEFF# comment',
      '',
      'A=1',
      'export B = two words ',
      'C="quoted # not a comment"  # a comment',
      "D='single $NOT_EXPANDED'",
      'E="line\\nbreak"',
      'F="spans',
      'two lines"',
      'G=unquoted # comment',
      'H=',
      'I=a=b',
    ].join('\r\n');
    expect(parseEnvFile(text)).toEqual({
      values: {
        A: '1',
        B: 'two words',
        C: 'quoted # not a comment',
        D: 'single $NOT_EXPANDED',
        E: 'line\nbreak',
        F: 'spans\ntwo lines',
        G: 'unquoted',
        H: '',
        I: 'a=b',
      },
      problems: [],
    });
  });

  it('names each malformed line by number, never its text', () => {
    const { values, problems } = parseEnvFile(
      ['OK=1', 'SECRET_KEY hunter2hunter2', '1BAD=x', 'X="a" trailing', 'LAST=2'].join('\n'),
    );
    expect(values).toEqual({ OK: '1', LAST: '2' });
    expect(problems).toEqual([
      'line 2: expected NAME=value (no "=" found)',
      'line 3: the name before "=" must be letters, digits and "_", not starting with a digit',
      'line 4: text after the closing " quote',
    ]);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('names an unclosed quote by the line it opens on', () => {
    expect(parseEnvFile('A=1\nB="never closed\nC=3\n').problems).toEqual([
      'line 2: the " quote opened here is never closed',
    ]);
  });
});
