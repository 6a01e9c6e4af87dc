import { describe, expect, it } from "vitest";
import { describeDrop, sortDroppedFiles } from "./drop";

describe("files dropped on the start screen", () => {
  it("are told apart by their names like the Browse filters", () => {
    const d = sortDroppedFiles(["/d/Profiles.JSONL", "/d/codebook.toml", "/d/team.chameleon"]);
    expect(d).toEqual({ study: "/d/team.chameleon", profiles: "/d/Profiles.JSONL", codebook: "/d/codebook.toml", unused: [] });
    expect(sortDroppedFiles(["C:\\data\\s.sqlite"]).study).toBe("C:\\data\\s.sqlite");
    expect(sortDroppedFiles(["/d/p.csv"]).profiles).toBe("/d/p.csv");
  });

  it("send JSON to the codebook only when its name says codebook", () => {
    expect(sortDroppedFiles(["/d/big5-codebook.json", "/d/texts.json"])).toMatchObject({
      codebook: "/d/big5-codebook.json",
      profiles: "/d/texts.json",
    });
  });

  it("keep the first file of a kind and list the rest as unused", () => {
    const d = sortDroppedFiles(["/a/one.jsonl", "/a/two.jsonl", "/a/notes.txt", "/a/.db", "/a/README"]);
    expect(d.profiles).toBe("/a/one.jsonl");
    expect(d.unused).toEqual(["/a/two.jsonl", "/a/notes.txt", "/a/.db", "/a/README"]);
    const text = describeDrop(d);
    expect(text).toContain("Filled in the profiles file one.jsonl.");
    expect(text).toContain("Not used: two.jsonl, notes.txt, .db, README");
  });

  it("say nothing was used when nothing could be", () => {
    const text = describeDrop(sortDroppedFiles(["/x/photo.png"]));
    expect(text.startsWith("Not used: photo.png")).toBe(true);
  });
});
