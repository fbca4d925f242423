import { visibleWidth } from './terminal';

/** kubectl-style columns: upper-case headers, left-aligned, three spaces apart, no borders. */
export function formatTable(headers: string[], rows: string[][], gap = 3): string {
  const widths = headers.map((header, column) =>
    Math.max(visibleWidth(header), ...rows.map((row) => visibleWidth(row[column] ?? ''))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1
          ? cell
          : cell + ' '.repeat((widths[column] ?? 0) - visibleWidth(cell) + gap),
      )
      .join('')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
