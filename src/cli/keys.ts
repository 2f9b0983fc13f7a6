import type { StartAction } from "../lab/interactive.js";

/**
 * Turns single key presses on a terminal into start's actions. Raw mode means Ctrl-C arrives
 * as a byte, so it is turned back into SIGINT for the one shutdown path in main.
 */
export function keyActions(stdin: NodeJS.ReadStream) {
  return (listener: (action: StartAction) => void): (() => void) => {
    const onData = (data: Buffer) => {
      for (const key of data.toString("utf8")) {
        if (key === "\u0003") process.kill(process.pid, "SIGINT");
        else if (key === "r" || key === "R") listener("restart");
        else if (key === "h" || key === "H") listener("hint");
        else if (key === "c" || key === "C") listener("check");
        else if (key === "q" || key === "Q") listener("quit");
      }
    };
    stdin.setRawMode(true);
    stdin.on("data", onData);
    stdin.resume();
    return () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
  };
}
