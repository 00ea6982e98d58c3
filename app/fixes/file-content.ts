/**
 * What a file's first bytes say it is, against what its extension claims:
 * an HTML page saved as report.pdf would replace a document with something
 * end users cannot open, so the re-upload warns before anything is sent.
 * Pure: looks at the bytes only (magic numbers, then text or binary).
 */

/** The kinds told apart: enough to catch a file of the wrong type, not a full detector. */
export type ContentKind = "pdf" | "zip" | "ole" | "rtf" | "html" | "xml" | "text" | "binary";

/** What each extension's content must look like (Office Open XML files are zip archives; old Office files OLE). */
const EXPECTED: Record<string, { kinds: ContentKind[]; label: string }> = {
  pdf: { kinds: ["pdf"], label: "PDF" },
  docx: { kinds: ["zip"], label: "Word (.docx)" },
  xlsx: { kinds: ["zip"], label: "Excel (.xlsx)" },
  pptx: { kinds: ["zip"], label: "PowerPoint (.pptx)" },
  doc: { kinds: ["ole"], label: "Word (.doc)" },
  xls: { kinds: ["ole"], label: "Excel (.xls)" },
  ppt: { kinds: ["ole"], label: "PowerPoint (.ppt)" },
  rtf: { kinds: ["rtf"], label: "RTF" },
  html: { kinds: ["html", "xml"], label: "HTML" },
  htm: { kinds: ["html", "xml"], label: "HTML" },
  xml: { kinds: ["xml", "html"], label: "XML" },
  xsl: { kinds: ["xml"], label: "XSLT" },
  xslt: { kinds: ["xml"], label: "XSLT" },
  txt: { kinds: ["text", "html", "xml", "rtf"], label: "plain text" },
  text: { kinds: ["text", "html", "xml", "rtf"], label: "plain text" },
  md: { kinds: ["text", "html", "xml"], label: "Markdown" },
  markdown: { kinds: ["text", "html", "xml"], label: "Markdown" },
  csv: { kinds: ["text"], label: "CSV" },
  json: { kinds: ["text"], label: "JSON" },
};

const KIND_WORDS: Record<ContentKind, string> = {
  pdf: "a PDF",
  zip: "a zip archive (as .docx, .xlsx and .pptx are)",
  ole: "an old-style Office file (.doc, .xls, .ppt)",
  rtf: "RTF",
  html: "HTML",
  xml: "XML",
  text: "plain text",
  binary: "binary data",
};

function startsWith(data: Uint8Array, bytes: number[], at = 0): boolean {
  return bytes.every((byte, i) => data[at + i] === byte);
}

/** The first bytes as text, after a UTF-8 byte order mark and leading whitespace, lower-cased. */
function leadingText(data: Uint8Array): string {
  const from = startsWith(data, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  return new TextDecoder("utf-8", { fatal: false })
    .decode(data.subarray(from, from + 512))
    .trimStart()
    .toLowerCase();
}

/** Text: no NUL byte and valid UTF-8 in the first 8 KB (a cut multi-byte character at the end is allowed). */
function looksLikeText(data: Uint8Array): boolean {
  const head = data.subarray(0, 8192);
  if (head.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head.subarray(0, head.length === 8192 ? head.length - 4 : head.length));
    return true;
  } catch {
    return false;
  }
}

/** What the content is, from its first bytes. */
export function sniffContent(data: Uint8Array): ContentKind {
  if (startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d])) return "pdf"; // %PDF-
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04]) || startsWith(data, [0x50, 0x4b, 0x05, 0x06])) return "zip"; // PK..
  if (startsWith(data, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return "ole";
  if (!looksLikeText(data)) return "binary";
  const text = leadingText(data);
  if (text.startsWith("{\\rtf")) return "rtf";
  if (/^<!doctype html|^<html|^<head|^<body|^<!--[\s\S]*?-->\s*<(!doctype html|html)/.test(text)) return "html";
  if (text.startsWith("<?xml")) return "xml";
  if (/^<[a-z!]/.test(text)) return "html";
  return "text";
}

/**
 * A warning when `data` does not look like what `fileName`'s extension says
 * (undefined when it does, or when the extension is not one we know).
 */
export function contentTypeWarning(fileName: string, data: Uint8Array): string | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  const expected = extension ? EXPECTED[extension] : undefined;
  if (!expected || data.byteLength === 0) return undefined;
  const kind = sniffContent(data);
  if (expected.kinds.includes(kind)) return undefined;
  return `${fileName} is named as ${expected.label} but its content is ${KIND_WORDS[kind]}: check it is the right file before uploading it.`;
}
