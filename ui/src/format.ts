// Number and figure formatting shared by every view (tables, headlines, figures), so a share or
// a missing value reads the same on every screen.

/** A number for a table cell; "—" for a missing one. Negative zero prints as 0. */
export function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A value already in percent (0..100) with one decimal ("81.0%"); "—" when missing. */
export function percent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "—" : `${x.toFixed(1)}%`;
}

/** A share 0..1 as a percentage ("26.1%"); "—" when missing. */
export function share(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return `${(v * 100).toFixed(digits)}%`;
}

/** A 95% interval of shares as "[20.3, 31.8]" (percent); "" when missing. */
export function shareInterval(ci: number[] | null | undefined): string {
  if (!ci || ci.length !== 2) return "";
  return `[${(ci[0] * 100).toFixed(1)}, ${(ci[1] * 100).toFixed(1)}]`;
}

/** A file size: "512 B", "3.4 KB", "1.2 MB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** An SVG document as an `<img>` source (the CSP allows `data:` images, not inline SVG markup). */
export function svgDataUrl(svg: string): string {
  const b = new TextEncoder().encode(svg);
  let bin = "";
  for (let i = 0; i < b.length; i += 0x8000) {
    bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  }
  return `data:image/svg+xml;base64,${btoa(bin)}`;
}
