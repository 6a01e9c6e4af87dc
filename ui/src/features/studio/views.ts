// The studio's views in tab order. Each feature registers itself here with one entry.
import { reviewViews } from "../review/views";
import type { StudioViewEntry } from "./view";

export const studioViews: StudioViewEntry[] = [...reviewViews];
