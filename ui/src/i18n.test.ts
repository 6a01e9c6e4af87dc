import { afterEach, describe, expect, it } from "vitest";
import { catalogue, chooseLanguage, fmt, initLanguage, overrideLanguage, pi, setEnvironmentLanguages, studioCatalogue, systemLanguage, t } from "./i18n";
import { mountIdentity } from "./features/study/identity";
import type { Backend } from "./api";
import type { SessionView } from "./bindings";

/** Every key's shape: a string, a function of n arguments, or an array of n entries. */
function shape(v: unknown): string {
  if (typeof v === "function") return `fn/${v.length}`;
  if (Array.isArray(v)) return `array/${v.length}/${v.map(shape).join(",")}`;
  if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k}:${shape(x)}`).join(",")}}`;
  return typeof v;
}

describe("i18n", () => {
  afterEach(() => {
    overrideLanguage(null);
  });

  it("picks German or English from the system's preferences, a stored choice first", () => {
    expect(chooseLanguage(["de-DE", "en-US"], null)).toBe("de");
    expect(chooseLanguage(["de_AT"], null)).toBe("de");
    expect(chooseLanguage(["fr-FR", "de-CH"], null)).toBe("de");
    expect(chooseLanguage(["fr-FR"], null)).toBe("en");
    expect(chooseLanguage([], null)).toBe("en");
    expect(chooseLanguage(["de-DE"], "en")).toBe("en");
    expect(chooseLanguage(["en-GB"], "de")).toBe("de");
    expect(chooseLanguage(["en-GB"], "xx")).toBe("en");
  });

  it("takes the environment's languages (from the shell) before the webview's", () => {
    setEnvironmentLanguages(["de-DE"]);
    expect(systemLanguage()).toBe("de");
    expect(initLanguage()).toBe("de");
    setEnvironmentLanguages([]);
    expect(systemLanguage()).toBe("en");
  });

  it("has every English key in German, with the same shape, and translated", () => {
    const en = catalogue("en") as Record<string, unknown>;
    const de = catalogue("de") as Record<string, unknown>;
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const k of Object.keys(en)) expect(shape(de[k]), k).toBe(shape(en[k]));
    // Words that are the same in both languages; everything else must differ.
    const same = new Set(["name", "person", "systemLanguage"]);
    for (const k of Object.keys(en)) {
      if (typeof en[k] === "string" && !same.has(k)) expect(de[k], k).not.toBe(en[k]);
    }
  });

  it("shows the PI's screens in English under German, on purpose (the whole catalogue, not gaps)", () => {
    expect(studioCatalogue("de")).toBe(studioCatalogue("en"));
    overrideLanguage("de");
    expect(pi().review.agreementTitle).toBe("Agreement per dimension");
    expect(t().errorHints.locked).toMatch(/Ein anderes Fenster/);
  });

  it("formats numbers for the language", () => {
    overrideLanguage("de");
    expect(fmt(1234.5, 1)).toBe("1.234,5");
    expect(t().profileOf(3, 1200)).toBe("Profil 3 von 1.200");
    overrideLanguage("en");
    expect(fmt(1234.5, 1)).toBe("1,234.5");
    expect(t().profileOf(3, 1200)).toBe("Profile 3 of 1200");
  });

  it("renders the annotator's screen in the chosen language", async () => {
    overrideLanguage("de");
    expect(document.documentElement.lang).toBe("de");
    const root = document.createElement("div");
    const backend = { listRaters: async () => [] } as unknown as Backend;
    const session = { study: { path: "/s.chameleon", name: "pilot", profiles: 12, dimensions: 1, raters: 0 }, rater: null, codebook: null } as unknown as SessionView;
    await mountIdentity(root, backend, session, () => {}, () => {}, () => {});
    expect(root.querySelector("h1")?.textContent).toBe("Wer bewertet?");
    expect(root.textContent).toContain("Studie: pilot — 12 Profile, 1 Dimension.");
    expect(root.textContent).toContain("Noch keine Bewerter");
    overrideLanguage(null);
    expect(initLanguage()).toBe("en");
  });
});
