import type { Emit } from "../events.js";
import type { CheckReport } from "../model/check-report.js";
import { publishCheck } from "../room/publish.js";
import { labVersion } from "../workspace/paths.js";
import { recordCheck } from "../workspace/state.js";
import type { Lab } from "./setup.js";

/**
 * The one place that decides what a finished check counts for: the attendee's own work is
 * remembered in the workspace (when the lab ran it there) and published to the room the
 * workspace joined; the reference solution counts for nobody.
 */
export async function countCheck(
  lab: Lab,
  report: CheckReport,
  options: { readonly dir: string; readonly publish: boolean; readonly emit: Emit },
): Promise<void> {
  if (lab.modes.work !== "attendee") return;
  if (lab.modes.instances === "lab")
    await recordCheck(
      options.dir,
      lab.exercise.id,
      report.verdict,
      report.finishedAt,
      report.causeId,
    );
  if (options.publish) await publishCheck(options.dir, report, labVersion, options.emit);
}
