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
 * example.com.pdf` is a PDF). What Windows ignores is dropped first: trailing dots and spaces
 * (`run.exe.` is an `exe`) and an NTFS stream suffix (`run.exe::$DATA` or `run.exe:x` is the
 * file `run.exe`; a `:` cannot be part of a Windows file name otherwise), until none is left.
 */
function extensionsOf(filename: string): string[] {
  let name = filename.trim().toLowerCase();
  for (let before = ""; before !== name; ) {
    before = name;
    const colon = name.indexOf(":");
    if (colon >= 0) name = name.slice(0, colon);
    name = name.replace(/[.\s]+$/, "");
  }
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
