// The audit trail view: the newest entries (who, when, what, which package), filtered by kind,
// and "Export CSV…" of the chosen kind (core writes it atomically and neutralises formulas).
import { toAppError } from "../../api";
import type { AuditTrail } from "../../bindings";
import { h, replace } from "../../dom";
import { renderError } from "../study/start";
import type { StudioContext, StudioView } from "../studio/view";
import type { TeamApi } from "./api";
import { auditDetail, formatTime } from "./logic";
import { nativeDialogs, type TeamDialogs } from "./view";
import { pi } from "../../i18n";

export class AuditView implements StudioView {
  private kind: string | null = null;
  private unmounted = false;
  private els!: { filter: HTMLSelectElement; list: HTMLElement; status: HTMLElement; errors: HTMLElement };

  constructor(
    private readonly api: TeamApi,
    private readonly dialogs: TeamDialogs = nativeDialogs,
  ) {}

  async mount(el: HTMLElement, _ctx: StudioContext, param?: string): Promise<void> {
    this.kind = param || null;
    const filter = h("select", { id: "audit-kind", "aria-label": pi().team.auditKind, onchange: () => void this.load(filter.value || null) });
    this.els = {
      filter,
      list: h("div", { class: "audit-list" }),
      status: h("p", { class: "team-status", id: "audit-status", role: "status", "aria-live": "polite" }),
      errors: h("div", { class: "error-host" }),
    };
    replace(
      el,
      h(
        "section",
        { class: "card team-audit", id: "audit-view", "aria-labelledby": "audit-h" },
        h(
          "div",
          { class: "team-head" },
          h("h2", { id: "audit-h" }, pi().team.auditTitle),
          h("label", { class: "inline", for: "audit-kind" }, pi().team.show, filter),
          h("span", { class: "spacer" }),
          h("button", { id: "audit-refresh", class: "small", onclick: () => void this.load(this.kind) }, pi().team.refresh),
          h("button", { id: "audit-export", onclick: () => void this.exportCsv() }, pi().team.exportCsv),
        ),
        h("p", { class: "muted" }, pi().team.auditHelp),
        this.els.errors,
        this.els.status,
        this.els.list,
      ),
    );
    await this.load(this.kind);
  }

  unmount(): void {
    this.unmounted = true;
  }

  private async load(kind: string | null): Promise<void> {
    this.kind = kind;
    replace(this.els.errors);
    let trail: AuditTrail;
    try {
      trail = await this.api.auditTrail(kind);
    } catch (e) {
      replace(this.els.errors, renderError(toAppError(e)));
      return;
    }
    if (this.unmounted) return;
    const all = trail.kinds.reduce((s, k) => s + k.count, 0);
    replace(
      this.els.filter,
      h("option", { value: "" }, pi().team.allKinds(all)),
      ...trail.kinds.map((k) => h("option", { value: k.kind }, `${k.kind} (${k.count})`)),
    );
    this.els.filter.value = kind ?? "";
    this.els.status.textContent =
      trail.entries.length < trail.total
        ? pi().team.showingNewest(trail.entries.length, trail.total)
        : pi().team.entries(trail.total);
    if (trail.entries.length === 0) {
      replace(this.els.list, h("p", { class: "empty" }, pi().team.noEntries));
      return;
    }
    replace(
      this.els.list,
      h(
        "table",
        { class: "team-table audit-table", id: "audit-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, pi().team.when),
            h("th", { scope: "col" }, pi().team.who),
            h("th", { scope: "col" }, pi().team.what),
            h("th", { scope: "col" }, pi().team.details),
            h("th", { scope: "col" }, pi().team.package),
          ),
        ),
        h(
          "tbody",
          {},
          ...trail.entries.map((e) =>
            h(
              "tr",
              { "data-action": e.action },
              h("td", { class: "nowrap" }, formatTime(e.at)),
              h("td", {}, e.actor),
              h("td", {}, h("span", { class: "kind" }, e.action)),
              h("td", { class: "detail" }, auditDetail(e)),
              h("td", {}, h("span", { class: "path" }, e.packageId ?? "")),
            ),
          ),
        ),
      ),
    );
  }

  private async exportCsv(): Promise<void> {
    replace(this.els.errors);
    const name = this.kind ? `audit-${this.kind}.csv` : "audit.csv";
    const path = await this.dialogs.pickSavePath(pi().team.exportAuditTitle, name, [{ name: "CSV", extensions: ["csv"] }]);
    if (!path) return;
    try {
      const n = await this.api.exportAuditCsv(path, this.kind);
      this.els.status.textContent = pi().team.wroteEntries(n, path);
    } catch (e) {
      replace(this.els.errors, renderError(toAppError(e)));
    }
  }
}
