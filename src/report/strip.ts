/** Terminal escape sequences (CSI, OSC) and other control characters, but not tab or newline. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)|[\x00-\x08\x0b-\x1f\x7f]/g;

/** Removes terminal control sequences, so an app's output cannot rewrite the lab's screen. */
export function stripControl(text: string): string {
  return text.replace(CONTROL, "");
}
