import { toAscii, wrapLine } from "./terminal.js";

export interface ScreenOptions {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Spell symbols in ASCII (a terminal whose locale is not UTF-8). */
  readonly ascii?: boolean;
  /** Whether the terminal moves its cursor (not TERM=dumb): the progress line needs it. */
  readonly live?: boolean;
  /** How the progress line reads, e.g. "booting 3/8 · 1.2 s" in grey. */
  readonly progressText: (ready: number, total: number, seconds: string) => string;
}

/** How long a boot goes before its progress line shows: a quick one is not worth a flicker. */
const PROGRESS_AFTER_MS = 250;
const PROGRESS_EVERY_MS = 100;
const CLEAR_LINE = "\r\u001b[2K";

/**
 * Where the terminal reporter's lines go: wrapped to the terminal's width (their indent kept),
 * spelt in ASCII when the terminal has no Unicode, and, on a terminal only, with one progress
 * line at the bottom while instances boot, redrawn in place and cleared before anything else
 * is written. Into a file or a pipe, lines go as they are.
 */
export function createScreen(options: ScreenOptions) {
  const { out } = options;
  const tty = out.isTTY === true;
  const live = tty && options.live !== false;
  let total = 0;
  let ready = 0;
  let began = 0;
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;

  const erase = () => {
    if (!drawn) return;
    out.write(CLEAR_LINE);
    drawn = false;
  };
  const draw = () => {
    if (!live || total === 0 || performance.now() - began < PROGRESS_AFTER_MS) return;
    const seconds = ((performance.now() - began) / 1000).toFixed(1);
    out.write(`${CLEAR_LINE}${spell(options.progressText(ready, total, seconds))}`);
    drawn = true;
  };
  const spell = (text: string) => (options.ascii ? toAscii(text) : text);
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
    total = 0;
    ready = 0;
    erase();
  };

  return {
    /** Writes one line (wrapped on a terminal), below any progress line, which is redrawn. */
    line(text: string): void {
      erase();
      const columns = tty ? out.columns : undefined;
      out.write(`${columns ? wrapLine(spell(text), columns) : spell(text)}\n`);
      draw();
    },
    /** Text that manages its own line (the load's live figures): symbols only. */
    raw(text: string): void {
      out.write(spell(text));
    },
    /** An instance began to boot: the progress line counts it. */
    starting(): void {
      if (!live) return;
      if (total === 0) began = performance.now();
      total += 1;
      timer ??= setInterval(draw, PROGRESS_EVERY_MS).unref();
    },
    /** An instance answered: once all have, the progress line goes. */
    ready(): void {
      if (total === 0) return;
      ready += 1;
      if (ready >= total) stop();
      else draw();
    },
    /** The boot ended some other way (failed, interrupted, reported): the line goes. */
    stopProgress: stop,
  };
}
