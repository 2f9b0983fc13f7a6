import type { Page } from "playwright-core";

/** The little of the DOM these checks read (the tests are compiled without the DOM's types). */
interface Box {
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly offsetParent: unknown;
  getBoundingClientRect(): { right: number };
}
interface Doc {
  readonly documentElement: Box;
  querySelectorAll(selector: string): Iterable<Box>;
  createRange(): {
    selectNodeContents(n: unknown): void;
    getClientRects(): Iterable<{ top: number }>;
  };
}

/** The projector sizes both pages are laid out for. */
export const PROJECTOR_SIZES = [
  { width: 1280, height: 720 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

/**
 * What overflows sideways, as a person would notice it: the page itself (a horizontal
 * scrollbar), or one of `selectors` whose content is wider than its box (a cut-off column),
 * or that reaches past the window's right edge. Empty when nothing does.
 */
export function overflowing(page: Page, selectors: readonly string[]): Promise<string[]> {
  return page.evaluate((list) => {
    const document = (globalThis as unknown as { document: Doc }).document;
    const found: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth)
      found.push(`the page: scrollWidth ${root.scrollWidth} > ${root.clientWidth}`);
    for (const selector of list)
      for (const node of document.querySelectorAll(selector)) {
        if (node.offsetParent === null) continue;
        const box = node.getBoundingClientRect();
        if (node.scrollWidth > node.clientWidth)
          found.push(`${selector}: scrollWidth ${node.scrollWidth} > ${node.clientWidth}`);
        if (box.right > root.clientWidth + 0.5)
          found.push(`${selector}: right edge ${Math.round(box.right)} > ${root.clientWidth}`);
      }
    return found;
  }, selectors);
}

/** The lines a cell's text takes on screen (1: it does not wrap). */
export function lineCount(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (cells) =>
    cells.map((c) => {
      const range = (globalThis as unknown as { document: Doc }).document.createRange();
      range.selectNodeContents(c);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      return tops.size;
    }),
  );
}

/**
 * Starts counting the page's DOM updates (MutationObserver callbacks: one per rendering task,
 * however many nodes it touched). `measure()` gives the updates a second since then and the
 * number of elements on the page.
 */
export async function watchDom(page: Page) {
  await page.evaluate(() => {
    const g = globalThis as unknown as {
      __updates: number;
      __since: number;
      MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void };
      document: { body: unknown };
    };
    g.__updates = 0;
    g.__since = performance.now();
    new g.MutationObserver(() => {
      g.__updates++;
    }).observe(g.document.body, { subtree: true, childList: true, characterData: true });
  });
  return {
    /** Milliseconds since counting began, by the page's clock. */
    elapsed: () =>
      page.evaluate(
        () => performance.now() - (globalThis as unknown as { __since: number }).__since,
      ),
    measure: () =>
      page.evaluate(() => {
        const g = globalThis as unknown as {
          __updates: number;
          __since: number;
          document: { getElementsByTagName(t: string): { length: number } };
        };
        return {
          perSecond: (1000 * g.__updates) / (performance.now() - g.__since),
          elements: g.document.getElementsByTagName("*").length,
        };
      }),
  };
}
