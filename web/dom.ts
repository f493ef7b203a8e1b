/**
 * The few DOM helpers the demo's views share: finding the page's fixed elements by id (failing loudly when
 * `index.html` and the code disagree) and building elements whose text is always set as text, never as
 * HTML, because names and messages come from other users.
 *
 * @module
 */

/** Attributes and text of a new element; `text` becomes `textContent`. */
export interface ElementSpec {
  readonly className?: string;
  readonly text?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/**
 * The element of `index.html` with this id, checked to be of the expected type.
 *
 * @throws {Error} when the page has no such element, or one of another type.
 * @example
 * const list = byId('messages', HTMLOListElement);
 */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) {
    throw new Error(`index.html has no <${type.name}> with id "${id}"`);
  }
  return found;
}

/** Creates an element, sets its class, attributes and text, and appends the children. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (spec.className !== undefined) node.className = spec.className;
  for (const [name, value] of Object.entries(spec.attributes ?? {})) node.setAttribute(name, value);
  if (spec.text !== undefined) node.textContent = spec.text;
  node.append(...children);
  return node;
}

/** True when the user asked the system for less motion: views then skip their animations. */
export function prefersReducedMotion(): boolean {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}
