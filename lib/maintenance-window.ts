/**
 * Maintenance windows: when a pool may start a roll. The grammar (docs/spec-format.md §5):
 *
 *   window   := days " " HH:MM "-" HH:MM " UTC"
 *   days     := "daily" | day-item ("," day-item)*
 *   day-item := Day | Day "-" Day            (Mon Tue Wed Thu Fri Sat Sun; a range may wrap: Fri-Mon)
 *
 * e.g. `Sat 02:00-04:00 UTC`, `Mon-Fri 22:00-02:00 UTC` (crosses midnight: the window opens on the
 * named days and ends the next morning), `daily 03:00-05:00 UTC`. The zone is written and is UTC:
 * a named time zone would move with daylight saving, and the reconciler has no zone database.
 * Parsing and evaluation are pure; the time comes in as an argument.
 */

export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export interface MaintenanceWindow {
  /** As written, for messages. */
  text: string;
  /** Days the window opens on, 0 = Sunday (Date.getUTCDay). */
  days: number[];
  /** Minutes after 00:00 UTC. */
  startMinute: number;
  /** Length in minutes (1 to 1440); a window may run past midnight into the next day. */
  lengthMinutes: number;
}

const MINUTES_PER_DAY = 24 * 60;

function parseDay(text: string): number | undefined {
  const index = DAY_NAMES.findIndex((day) => day.toLowerCase() === text.toLowerCase());
  return index < 0 ? undefined : index;
}

function parseDays(text: string): number[] | string {
  if (text.toLowerCase() === 'daily') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const item of text.split(',')) {
    const [from, to, extra] = item.split('-');
    const first = parseDay(from ?? '');
    const last = to === undefined ? first : parseDay(to);
    if (first === undefined || last === undefined || extra !== undefined) {
      return `"${item}" is not a day or a day range (${DAY_NAMES.join(', ')}, e.g. Mon-Fri) or "daily"`;
    }
    for (let day = first; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

function parseTime(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** The window, or what is wrong with the text (a sentence for the violation message). */
export function parseMaintenanceWindow(text: string): MaintenanceWindow | { error: string } {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 3) {
    return { error: 'it must be three words: days, a time range and the zone, e.g. "Sat 02:00-04:00 UTC"' };
  }
  const [daysText = '', rangeText = '', zone = ''] = parts;
  if (zone !== 'UTC') {
    return { error: `the zone is "${zone}"; write the times in UTC and end with "UTC"` };
  }
  const days = parseDays(daysText);
  if (typeof days === 'string') return { error: days };
  const [startText, endText, extra] = rangeText.split('-');
  const start = parseTime(startText ?? '');
  const end = parseTime(endText ?? '');
  if (start === undefined || end === undefined || extra !== undefined) {
    return { error: `"${rangeText}" is not a time range HH:MM-HH:MM (24-hour, e.g. 02:00-04:00)` };
  }
  if (start === end) {
    return { error: `"${rangeText}" starts and ends at the same time; a window needs a length` };
  }
  const lengthMinutes = (end - start + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return { text: text.trim(), days, startMinute: start, lengthMinutes };
}

export interface WindowState {
  open: boolean;
  /** When open: the end of the current window; when closed: the start of the next one. */
  next: Date;
}

/** Whether `now` is inside the window, and the next boundary. */
export function maintenanceWindowState(window: MaintenanceWindow, now: Date): WindowState {
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const minuteMs = 60_000;
  // A window opened yesterday may still be open (it runs past midnight); look from yesterday on.
  for (let offset = -1; offset <= 7; offset += 1) {
    const opens = dayStart + offset * MINUTES_PER_DAY * minuteMs + window.startMinute * minuteMs;
    const day = new Date(opens).getUTCDay();
    if (!window.days.includes(day)) continue;
    const closes = opens + window.lengthMinutes * minuteMs;
    if (now.getTime() < opens) return { open: false, next: new Date(opens) };
    if (now.getTime() < closes) return { open: true, next: new Date(closes) };
  }
  // Unreachable for a parsed window (at least one day a week): say closed for a week.
  return { open: false, next: new Date(dayStart + 7 * MINUTES_PER_DAY * minuteMs) };
}
