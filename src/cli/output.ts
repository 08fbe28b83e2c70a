/**
 * What a command prints: a human-readable form by default, `--json` for machines (one JSON document
 * on stdout, nothing else there). Dates print as ISO-8601 UTC in both.
 */
export class Output {
  constructor(readonly json: boolean) {}

  /** The command's result: `data` as JSON, or the lines a person reads. */
  result(data: unknown, human: () => string | string[]): void {
    if (this.json) {
      process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      return;
    }
    const text = human();
    process.stdout.write(`${Array.isArray(text) ? text.join('\n') : text}\n`);
  }
}

type Cell = string | number | boolean | null | undefined;

/** Aligned columns with a header row; an empty list says so. */
export function table(headers: string[], rows: Cell[][], empty = '(none)'): string[] {
  if (rows.length === 0) return [empty];
  const text = rows.map((row) =>
    row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))),
  );
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((row) => row[i].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...text.map(line)];
}

/** `name: value` lines, names aligned. */
export function fields(entries: Array<[string, Cell | readonly Cell[]]>): string[] {
  const width = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, value]) => {
    const shown = Array.isArray(value)
      ? value.join(', ') || '-'
      : value === null || value === undefined
        ? '-'
        : String(value);
    return `${`${name}:`.padEnd(width + 1)} ${shown}`;
  });
}
