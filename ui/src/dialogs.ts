// Native file dialogs for every feature, in one place. End-to-end tests cannot drive GTK dialogs
// through WebDriver, so a test may answer them instead by setting `window.__chameleonDialogs`
// (a queue of answers) with WebDriver's execute; the page's strict CSP keeps anything else out.
import { open, save } from "@tauri-apps/plugin-dialog";
import type { FileFilter } from "./api";

type Answer = string | string[] | null;

declare global {
  interface Window {
    __chameleonDialogs?: Answer[];
  }
}

function scripted(): { hit: boolean; answer: Answer } {
  const queue = window.__chameleonDialogs;
  if (!queue || queue.length === 0) return { hit: false, answer: null };
  return { hit: true, answer: queue.shift() ?? null };
}

/** Asks where to save a file; `null` when cancelled. */
export async function pickSavePath(title: string, defaultPath: string, filters: FileFilter[] = []): Promise<string | null> {
  const s = scripted();
  if (s.hit) return Array.isArray(s.answer) ? (s.answer[0] ?? null) : s.answer;
  return save({ title, defaultPath, filters });
}

/** Asks for one or more existing files (starting in `defaultPath`, a folder); `[]` when cancelled. */
export async function pickFiles(title: string, filters: FileFilter[] = [], multiple = true, defaultPath?: string): Promise<string[]> {
  const s = scripted();
  const picked = s.hit ? s.answer : await open({ title, multiple, directory: false, filters, defaultPath });
  if (picked === null) return [];
  return Array.isArray(picked) ? picked : [picked];
}

/** Asks for a folder (starting in `defaultPath`); `null` when cancelled. */
export async function pickDirectory(title: string, defaultPath?: string): Promise<string | null> {
  const s = scripted();
  if (s.hit) return Array.isArray(s.answer) ? (s.answer[0] ?? null) : s.answer;
  const picked = await open({ title, directory: true, multiple: false, defaultPath });
  return typeof picked === "string" ? picked : null;
}

/** The folder of a study file ("/a/b/s.chameleon" → "/a/b"), where its dialogs start. */
export function folderOf(path: string): string | undefined {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i > 0 ? path.slice(0, i) : undefined;
}

/** `name` in the folder of `studyPath`, a save dialog's default. */
export function inFolderOf(studyPath: string, name: string): string {
  const dir = folderOf(studyPath);
  return dir ? `${dir}/${name}` : name;
}
