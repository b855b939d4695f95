// Coding a source (templates/coding/source.html): a selection made in the text, with a mouse or
// the keyboard, fills the "Code a passage" form with its character offsets and its words. The
// form works without this script: a researcher types the words instead.
//
// Offsets count Unicode scalar values, as the server does; each segment of the text carries its
// first character's offset in data-start, and a selection's offset inside a text node is counted
// in UTF-16 code units, so it is converted.

const text = document.querySelector("[data-coding-text]");
const form = document.querySelector("[data-coding-form]");

/** Unicode scalar values in the first `units` UTF-16 code units of `s`. */
function scalars(s, units) {
  return [...s.slice(0, units)].length;
}

/** The character offset of a point (node, offset) in the text, or null outside it. */
function offsetOf(node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const segment = node.parentElement?.closest("[data-start]");
    if (!segment || !text.contains(segment)) return null;
    return Number(segment.dataset.start) + scalars(node.data, offset);
  }
  // A point between child elements: the start of the child after it, or the end of the last.
  const child = node.childNodes[offset];
  if (child) return offsetOf(child.nodeType === Node.TEXT_NODE ? child : child.firstChild ?? child, 0);
  const last = node.childNodes[node.childNodes.length - 1];
  if (!last) return null;
  const lastText = last.nodeType === Node.TEXT_NODE ? last : last.lastChild;
  return lastText ? offsetOf(lastText, lastText.data.length) : null;
}

if (text && form) {
  const start = form.querySelector("[data-coding-start]");
  const end = form.querySelector("[data-coding-end]");
  const words = form.querySelector("textarea[name=words]");
  const occurrence = form.querySelector("input[name=occurrence]");
  const shown = form.querySelector("[data-coding-selected]");

  const clear = () => {
    start.value = "";
    end.value = "";
    shown.classList.add("govuk-!-display-none");
  };

  const update = () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!text.contains(range.commonAncestorContainer)) return;
    const from = offsetOf(range.startContainer, range.startOffset);
    const to = offsetOf(range.endContainer, range.endOffset);
    if (from === null || to === null || to <= from) return;
    start.value = String(from);
    end.value = String(to);
    words.value = range.toString();
    if (occurrence) occurrence.value = "";
    shown.textContent = `Selected characters ${from + 1} to ${to} of the text.`;
    shown.classList.remove("govuk-!-display-none");
  };

  text.addEventListener("mouseup", update);
  text.addEventListener("keyup", update);
  // Typing words by hand means the typed words, not an earlier selection, say what to code.
  words.addEventListener("input", clear);
  occurrence?.addEventListener("input", clear);
}
