// What every page of the lab shares, as projector.css does for their looks.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new element; its text, from anywhere, goes in through textContent (never as HTML). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A text cut to `max` characters with an ellipsis (a select's options cannot be cut by CSS). */
export function short(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A table cell or block whose text is cut with an ellipsis by CSS and shown whole as a tooltip. */
export function cut(tag, className, text) {
  const node = el(tag, className, text);
  node.title = text;
  return node;
}

/**
 * uPlot options for a time axis counted from a point (x in seconds or minutes relative to
 * it): never a date, and a fixed range, so that 0, 1 or many points all read sanely.
 */
export function relativeX(range, label) {
  return {
    scale: { time: false, range: () => range },
    axis: { values: (_u, splits) => splits.map(label), size: 40 },
    series: { label: "when", value: (_u, v) => (v == null ? "–" : label(v)) },
    // A canvas has no text: the time axis's labels are written on the chart's box as well
    // (for screen readers, and for the tests, which read what the axis says).
    hooks: {
      draw: [
        (u) => {
          const ticks = u.axes[0]?._values ?? [];
          u.root.parentElement?.setAttribute("data-x-ticks", ticks.join(" | "));
        },
      ],
    },
  };
}
