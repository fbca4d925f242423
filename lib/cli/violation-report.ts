import type { Violation } from '../pool-spec';
import type { OutputStream } from './cli-command';

/**
 * How violations are printed, shared by every command that shows them (validate, later plan/apply).
 * Human form: one line per violation, `SEVERITY rule path: message`, then a summary line.
 * JSON form: `{valid, violations: [{file, path, value, rule, severity, message}], files: [...]}`;
 * each file also lists `notChecked` (what could not run, and why). `valid` means "no Error".
 */

export interface FileReport {
  file: string;
  violations: Violation[];
  /** Rules that could not run, each with why. Absent or empty: every rule ran. */
  notChecked?: string[];
}

export function isValid(violations: readonly Violation[]): boolean {
  return !violations.some((v) => v.severity === 'Error');
}

function count(violations: readonly Violation[], severity: Violation['severity']): number {
  return violations.filter((v) => v.severity === severity).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Errors first, then warnings, each in document order. */
function ordered(violations: readonly Violation[]): Violation[] {
  return [
    ...violations.filter((v) => v.severity === 'Error'),
    ...violations.filter((v) => v.severity !== 'Error'),
  ];
}

export function writeHumanReport(out: OutputStream, reports: readonly FileReport[]): void {
  const prefixed = reports.length > 1;
  for (const report of reports) {
    for (const v of ordered(report.violations)) {
      out.write(
        `${prefixed ? `${report.file}: ` : ''}${v.severity.toUpperCase()} ${v.rule} ${v.path}: ${v.message}\n`,
      );
    }
    const errors = count(report.violations, 'Error');
    const warnings = count(report.violations, 'Warning');
    const counts = `(${plural(errors, 'error')}, ${plural(warnings, 'warning')})`;
    const skipped = report.notChecked ?? [];
    if (errors > 0) out.write(`${report.file}: invalid ${counts}\n`);
    else if (skipped.length === 0) out.write(`${report.file}: valid ${counts}\n`);
    else out.write(`${report.file}: no errors ${counts}; not checked: ${skipped.join('; ')}\n`);
  }
  if (prefixed) {
    const invalid = reports.filter((r) => !isValid(r.violations)).length;
    out.write(
      `${plural(reports.length, 'file')} checked: ${reports.length - invalid} valid, ${invalid} invalid\n`,
    );
  }
}

export function writeJsonReport(out: OutputStream, reports: readonly FileReport[]): void {
  const files = reports.map((r) => ({
    file: r.file,
    valid: isValid(r.violations),
    violations: r.violations,
    notChecked: r.notChecked ?? [],
  }));
  const body = {
    valid: files.every((f) => f.valid),
    violations: reports.flatMap((r) => r.violations.map((v) => ({ file: r.file, ...v }))),
    files,
  };
  out.write(`${JSON.stringify(body, null, 2)}\n`);
}
