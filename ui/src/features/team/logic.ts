// The team view's pure logic: reading the pool, which dropped paths to merge, how reports and
// audit entries read. No DOM here, so it is tested directly.
import type { AuditEntry, MergeOutcome, MergedPackage, PackageSummary } from "../../bindings";
import { pi } from "../../i18n";

export { bytes as formatBytes } from "../../format";

export interface Pool {
  names: string[];
  duplicates: string[];
}

/** Annotator names from the pool field: one per line or comma-separated, trimmed. */
export function parsePool(text: string): Pool {
  const names: string[] = [];
  const duplicates: string[] = [];
  for (const raw of text.split(/[,\n]/)) {
    const name = raw.trim();
    if (!name) continue;
    if (names.includes(name)) {
      if (!duplicates.includes(name)) duplicates.push(name);
    } else names.push(name);
  }
  return { names, duplicates };
}

/**
 * The dropped paths worth merging: absolute file paths, each once, none already waiting.
 * Folders (a trailing separator) and anything that is no path (text dragged from a page) are
 * left out; core refuses anything else that is not a package with its reason.
 */
export function packagePaths(dropped: readonly unknown[], pending: readonly string[] = []): string[] {
  const out: string[] = [];
  const seen = new Set(pending.map(normalise));
  for (const p of dropped) {
    if (typeof p !== "string") continue;
    const path = p.trim();
    if (!isAbsolute(path) || /[\\/]$/.test(path)) continue;
    const key = normalise(path);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(path);
  }
  return out;
}

function isAbsolute(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

function normalise(p: string): string {
  return p.replace(/[\\/]+/g, "/").replace(/\/\.\//g, "/");
}


export function percentDone(done: number, assigned: number): number {
  return assigned > 0 ? Math.round((100 * done) / assigned) : 0;
}

export function packageLabel(p: PackageSummary): string {
  return pi().team.packageLabel(p.rater, p.studyName);
}

/** One line per report, for the status under the table and screen readers. */
export function reportSummary(r: MergedPackage): string {
  if (r.refused) return pi().team.reportRefused(r.fileName, r.refused);
  return pi().team.report(r.fileName, r.rater, r.added, r.updated, r.unchanged, r.keptNewer);
}

export function outcomeSummary(o: MergeOutcome): string {
  const refused = o.reports.filter((r) => r.refused).length;
  const merged = o.reports.length - refused;
  const added = o.reports.reduce((s, r) => s + r.added, 0);
  const updated = o.reports.reduce((s, r) => s + r.updated, 0);
  return pi().team.outcome(merged, added, updated, refused);
}

/** An audit entry's JSON detail as short `key: value` text (the raw text if it is not JSON). */
export function auditDetail(e: AuditEntry): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(e.detail);
  } catch {
    return e.detail;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return e.detail;
  return Object.entries(parsed as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
