import type { AttachmentPolicy } from "./account-settings.js";

/**
 * File types refused whatever a tenant configures: programs, scripts and installers that run
 * when opened on Windows or macOS, and containers mail filters commonly refuse for hiding them.
 * Lower case, without the dot.
 */
export const DANGEROUS_EXTENSIONS: readonly string[] = [
  "ade",
  "adp",
  "apk",
  "app",
  "appx",
  "application",
  "bas",
  "bat",
  "cab",
  "chm",
  "cmd",
  "com",
  "cpl",
  "crt",
  "dll",
  "dmg",
  "exe",
  "gadget",
  "hlp",
  "hta",
  "inf",
  "ins",
  "iso",
  "isp",
  "jar",
  "js",
  "jse",
  "lib",
  "lnk",
  "mde",
  "msc",
  "msi",
  "msix",
  "msp",
  "mst",
  "nsh",
  "pif",
  "pkg",
  "ps1",
  "ps1xml",
  "ps2",
  "psc1",
  "psm1",
  "reg",
  "scf",
  "scr",
  "sct",
  "shb",
  "shs",
  "sys",
  "vb",
  "vbe",
  "vbs",
  "vhd",
  "vhdx",
  "vxd",
  "wsc",
  "wsf",
  "wsh",
  "xll",
];

const DANGEROUS = new Set(DANGEROUS_EXTENSIONS);

/**
 * `Report.PDF` -> `pdf`. Only the last extension decides what opens the file (`notes from
 * example.com.pdf` is a PDF); trailing dots and spaces are dropped first because Windows ignores
 * them (`run.exe.` is an `exe`).
 */
function extensionsOf(filename: string): string[] {
  const name = filename
    .trim()
    .toLowerCase()
    .replace(/[.\s]+$/, "");
  const dot = name.lastIndexOf(".");
  return dot >= 0 && dot < name.length - 1 ? [name.slice(dot + 1)] : [];
}

export type AttachmentCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Whether the tenant's policy lets this attachment through (size and type). */
export function checkAttachment(policy: AttachmentPolicy, filename: string, bytes: number): AttachmentCheck {
  if (bytes > policy.maxBytes) {
    return { ok: false, reason: `${filename} is ${bytes} bytes; attachments may be at most ${policy.maxBytes} bytes` };
  }
  const blocked = new Set(policy.blockedExtensions);
  for (const ext of extensionsOf(filename)) {
    if (DANGEROUS.has(ext)) return { ok: false, reason: `.${ext} files can run programs and are never sent` };
    if (blocked.has(ext)) return { ok: false, reason: `.${ext} files are blocked by the tenant's attachment settings` };
  }
  return { ok: true };
}
