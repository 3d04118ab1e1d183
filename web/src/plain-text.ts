// The plain-text part of an email written in the rich-text editor: mail clients that show text,
// and spam filters that frown on HTML-only mail, get the same words, with each link's address
// after its text. Merge fields pass through untouched: the server fills them in both parts.

const BLOCKS = new Set(["P", "H1", "H2", "H3", "H4", "H5", "H6", "BLOCKQUOTE", "PRE", "UL", "OL", "HR"]);

function walk(node: Node, out: string[], list: { ordered: boolean; n: number } | null): void {
  if (node.nodeType === Node.TEXT_NODE) {
    out.push((node.textContent ?? "").replace(/\s+/g, " "));
    return;
  }
  if (!(node instanceof Element)) return;
  const tag = node.tagName;
  if (tag === "BR") {
    out.push("\n");
    return;
  }
  if (tag === "HR") {
    out.push("\n\n----------\n\n");
    return;
  }
  if (tag === "LI") {
    const marker = list?.ordered ? `${++list.n}. ` : "- ";
    out.push(`\n${marker}`);
    for (const child of node.childNodes) walk(child, out, null);
    return;
  }
  const inner = tag === "UL" || tag === "OL" ? { ordered: tag === "OL", n: 0 } : list;
  if (BLOCKS.has(tag)) out.push("\n\n");
  for (const child of node.childNodes) walk(child, out, inner);
  if (tag === "A") {
    const href = node.getAttribute("href") ?? "";
    if (href && href !== node.textContent?.trim()) out.push(` (${href})`);
  }
  if (BLOCKS.has(tag)) out.push("\n\n");
}

/** Plain text for `html` (the editor's output); "" for an empty document. */
export function plainText(html: string): string {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const out: string[] = [];
  walk(doc.body, out, null);
  return out
    .join("")
    .split("\n")
    .map((line) => line.trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
