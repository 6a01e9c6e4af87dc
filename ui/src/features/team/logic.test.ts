import { describe, expect, it } from "vitest";
import type { MergeOutcome } from "../../bindings";
import { auditDetail, formatBytes, outcomeSummary, packageLabel, packagePaths, parsePool, percentDone } from "./logic";

describe("team logic", () => {
  it("reads the pool from commas and lines and reports names given twice", () => {
    expect(parsePool(" ana, ben\nchloe ,, \n ben ")).toEqual({ names: ["ana", "ben", "chloe"], duplicates: ["ben"] });
    expect(parsePool("  \n ,")).toEqual({ names: [], duplicates: [] });
  });

  it("keeps only absolute file paths from a drop, each once, none already waiting", () => {
    const dropped = [
      "/home/pi/ana.chameleon",
      "/home/pi/ana.chameleon",
      "/home/pi//ben.chameleon",
      "/home/pi/folder/",
      "relative.chameleon",
      "",
      42,
      null,
      "C:\\Users\\pi\\chloe.chameleon",
      "/home/pi/dev.chameleon",
    ];
    expect(packagePaths(dropped, ["/home/pi/dev.chameleon"])).toEqual([
      "/home/pi/ana.chameleon",
      "/home/pi//ben.chameleon",
      "C:\\Users\\pi\\chloe.chameleon",
    ]);
    expect(packagePaths(["/a/x.chameleon", "/a//x.chameleon"]), "the same file written twice").toEqual(["/a/x.chameleon"]);
  });

  it("summarises a merge with its refusals", () => {
    const o: MergeOutcome = {
      backupsDir: "/b",
      reports: [
        { path: "/a.chameleon", fileName: "a.chameleon", packageId: "1", rater: "ana", added: 3, updated: 1, unchanged: 2, keptNewer: 0, refused: null, snapshot: "/b/s.chameleon" },
        { path: "/b.chameleon", fileName: "b.chameleon", packageId: null, rater: null, added: 0, updated: 0, unchanged: 0, keptNewer: 0, refused: "tampered", snapshot: null },
      ],
    };
    expect(outcomeSummary(o)).toBe("1 package merged (3 ratings added, 1 updated), 1 refused: nothing was changed for it.");
    expect(outcomeSummary({ ...o, reports: [o.reports[0]] })).toBe("1 package merged (3 ratings added, 1 updated).");
  });

  it("shows audit details as short text and keeps what is not JSON", () => {
    const e = { at: 0, actor: "pi", action: "package-merge", packageId: "p", detail: '{"rater":"ana","kept_newer":0,"x":null}' };
    expect(auditDetail(e)).toBe("rater: ana · kept newer: 0");
    expect(auditDetail({ ...e, detail: "=cmd|' /C calc'!A0" })).toBe("=cmd|' /C calc'!A0");
  });

  it("names packages, sizes and progress", () => {
    const p = { packageId: "x", studyId: "s", studyName: "demo", rater: "ana", profiles: 3, ratings: 0 };
    expect(packageLabel(p)).toBe("Package for ana from study demo");
    expect(packageLabel({ ...p, studyName: null })).toBe("Package for ana");
    expect([formatBytes(900), formatBytes(2048), formatBytes(3 * 1024 * 1024)]).toEqual(["900 B", "2.0 KB", "3.0 MB"]);
    expect([percentDone(1, 3), percentDone(0, 0)]).toEqual([33, 0]);
  });
});
