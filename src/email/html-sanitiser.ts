import sanitizeHtml from "sanitize-html";

/*
 * Every HTML sanitiser policy of Postbag, side by side: what an announcement may contain, what a
 * signature may contain, and what of inbound mail is shown to staff in the console. All three
 * drop anything that runs (script, event handlers, javascript: URLs) and protocol-relative URLs;
 * they differ in what may load from elsewhere.
 */

// Ordinary formatting a school office's editor produces: text styles, headings, lists, tables,
// links and images. Nothing that runs (script, event handlers, javascript: URLs), nothing that
// loads another document (iframe, object, form), and only inline styles from a short list.
const ANNOUNCEMENT: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    "img",
    "span",
    "font",
    "center",
    "u",
    "s",
    "sub",
    "sup",
    "h1",
    "h2",
  ],
  allowedAttributes: {
    "*": ["style", "align", "dir", "title"],
    a: ["href", "name", "target", "rel"],
    img: ["src", "alt", "width", "height"],
    font: ["color", "face", "size"],
    table: ["width", "border", "cellpadding", "cellspacing", "bgcolor"],
    td: ["width", "colspan", "rowspan", "valign", "bgcolor"],
    th: ["width", "colspan", "rowspan", "valign", "bgcolor"],
  },
  allowedSchemes: ["http", "https", "mailto", "tel"],
  allowedSchemesByTag: { img: ["http", "https", "cid"] },
  allowProtocolRelative: false,
  allowedStyles: {
    "*": {
      color: [/^#[0-9a-f]{3,8}$/i, /^[a-z]{3,20}$/i, /^rgba?\([\d\s.,%]+\)$/i],
      "background-color": [/^#[0-9a-f]{3,8}$/i, /^[a-z]{3,20}$/i, /^rgba?\([\d\s.,%]+\)$/i],
      "text-align": [/^(left|right|center|justify)$/],
      "font-weight": [/^(normal|bold|bolder|lighter|\d{3})$/],
      "font-style": [/^(normal|italic)$/],
      "font-size": [/^\d{1,3}(\.\d+)?(px|pt|em|rem|%)$/],
      "font-family": [/^[\w\s,'"-]{1,100}$/],
      "text-decoration": [/^(none|underline|line-through)$/],
      "line-height": [/^\d{1,3}(\.\d+)?(px|pt|em|%)?$/],
      margin: [/^[\d\s.]+(px|pt|em|%)?[\d\s.pxtem%]*$/],
      padding: [/^[\d\s.]+(px|pt|em|%)?[\d\s.pxtem%]*$/],
      width: [/^\d{1,4}(px|%)?$/],
      height: [/^\d{1,4}(px|%)?$/],
    },
  },
  // Text of dropped elements such as <script> and <style> goes with them.
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "title", "head"],
  disallowedTagsMode: "discard",
};

/**
 * Announcement HTML as it may be stored and sent: formatting, links and images kept, anything
 * that runs or loads other content removed. Merge fields (`{{subject.name}}`) pass through as
 * text, also inside `href` and `src`, where they are relative URLs until rendered.
 */
export function sanitizeAnnouncementHtml(html: string): string {
  return sanitizeHtml(html, ANNOUNCEMENT);
}

// A signature: basic formatting and a logo, embedded (data:, cid:) or over https; no http.
const SIGNATURE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, "img", "span", "font"],
  allowedAttributes: {
    ...sanitizeHtml.defaults.allowedAttributes,
    img: ["src", "alt", "width", "height", "title"],
    "*": ["align", "title"],
  },
  allowedSchemes: ["https", "mailto", "tel"],
  allowedSchemesByTag: { img: ["https", "data", "cid"] },
  allowProtocolRelative: false,
};

/** A tenant's signature as it is stored and added to mail. */
export function sanitizeSignatureHtml(html: string): string {
  return sanitizeHtml(html, SIGNATURE);
}

// Inbound mail shown to staff: structure and links, no images (remote images are tracking
// pixels), links opened apart from the console.
const INBOUND: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.filter((t) => t !== "img"),
  allowedAttributes: {
    a: ["href", "title", "rel", "target"],
    td: ["colspan", "rowspan"],
    th: ["colspan", "rowspan"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    a: sanitizeHtml.simpleTransform("a", { rel: "noopener noreferrer nofollow", target: "_blank" }),
  },
};

/** Inbound HTML as the console shows it. */
export function sanitizeInboundHtml(html: string): string {
  return sanitizeHtml(html, INBOUND);
}

// The same, with images kept (https and embedded data: only): the console shows this version in
// a sandboxed frame whose own Content-Security-Policy loads remote images only when asked.
const INBOUND_WITH_IMAGES: sanitizeHtml.IOptions = {
  ...INBOUND,
  allowedTags: [...(INBOUND.allowedTags || []), "img"],
  allowedAttributes: { ...INBOUND.allowedAttributes, img: ["src", "alt", "width", "height", "title"] },
  allowedSchemesByTag: { img: ["https", "data"] },
};

/** Inbound HTML with its images, for the sandboxed reading frame. */
export function sanitizeInboundHtmlWithImages(html: string): string {
  return sanitizeHtml(html, INBOUND_WITH_IMAGES);
}

/** True when sanitised inbound HTML would load an image from elsewhere (what the reader is asked about). */
export function hasRemoteImages(html: string): boolean {
  return /<img\b[^>]*\bsrc="https:/i.test(sanitizeInboundHtmlWithImages(html));
}
