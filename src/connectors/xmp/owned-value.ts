/**
 * The simple top-level values Sitter sets on a packet (the PLUS release status and age disclosure):
 * set with the value they replaced kept in the ledger, and given back exactly on clear.
 */
import { place } from './layout.js';
import type { OwnedValue } from './ledger.js';
import { simpleTopLevel, type Namer, type XElement, type XmpDoc } from './rdf.js';

export /** Sets (value) or gives back (null) a simple top-level property Sitter owns; returns the new state. */
function setOwned(
  x: XmpDoc,
  n: Namer,
  holder: XElement,
  ns: string,
  local: string,
  value: string | null,
  state: OwnedValue,
): OwnedValue {
  const cur = simpleTopLevel(x, ns, local);
  if (value === null) {
    if (state.set) {
      if (state.prior === null) cur?.remove();
      else if (cur) cur.set(state.prior);
      else place(holder, n.el(ns, local, state.prior));
    }
    return { set: false, prior: null };
  }
  const prior = state.set ? state.prior : (cur?.value ?? null);
  if (cur) cur.set(value);
  else place(holder, n.el(ns, local, value));
  return { set: true, prior };
}
