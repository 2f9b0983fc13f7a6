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
