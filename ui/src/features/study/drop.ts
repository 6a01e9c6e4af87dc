// Which of the files dropped on the start screen is a study, a profiles file or a codebook,
// told by the file name the way the "Browse…" filters tell them.
import { pi } from "../../i18n";

export interface DroppedFiles {
  study: string | null;
  profiles: string | null;
  codebook: string | null;
  /** Files of no known kind, and second files of a kind already filled. */
  unused: string[];
}

const STUDY = new Set(["chameleon", "db", "sqlite", "sqlite3"]);
const PROFILES = new Set(["jsonl", "csv"]);
const CODEBOOK = new Set(["toml"]);

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function kindOf(path: string): keyof Omit<DroppedFiles, "unused"> | null {
  const name = baseName(path).toLowerCase();
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1) : "";
  if (STUDY.has(ext)) return "study";
  if (PROFILES.has(ext)) return "profiles";
  if (CODEBOOK.has(ext)) return "codebook";
  // Both a profiles file and a codebook may be JSON: the name decides.
  if (ext === "json") return name.includes("codebook") ? "codebook" : "profiles";
  return null;
}

export function sortDroppedFiles(paths: readonly string[]): DroppedFiles {
  const out: DroppedFiles = { study: null, profiles: null, codebook: null, unused: [] };
  for (const p of paths) {
    const kind = kindOf(p);
    if (kind && out[kind] === null) out[kind] = p;
    else out.unused.push(p);
  }
  return out;
}

/** A line for the start screen saying where the dropped files went. */
export function describeDrop(d: DroppedFiles): string {
  const parts: string[] = [];
  if (d.profiles) parts.push(pi().start.dropProfiles(baseName(d.profiles)));
  if (d.codebook) parts.push(pi().start.dropCodebook(baseName(d.codebook)));
  if (d.study) parts.push(pi().start.dropStudy(baseName(d.study)));
  const used = parts.length ? pi().start.filledIn(parts) : "";
  const unused = d.unused.length ? pi().start.notUsed(d.unused.map(baseName)) : "";
  return (used + unused).trim();
}
