/** How a command line given with --cmd is run: which program, with which arguments. */
export interface ShellInvocation {
  readonly file: string;
  readonly args: readonly string[];
  /** Windows: the arguments are passed as written, not quoted again (cmd.exe's own rules). */
  readonly windowsVerbatimArguments: boolean;
}

/**
 * Unix: `/bin/sh -c <line>`. Windows: `cmd.exe /d /s /c "<line>"`, as Node's own `shell`
 * option does: /d skips the AutoRun commands of the registry, /s keeps the line as typed
 * inside the outer quotes, /c runs it and ends. `comspec` is %ComSpec% when set.
 */
export function shellInvocation(line: string, windows: boolean, comspec?: string): ShellInvocation {
  return windows
    ? {
        file: comspec || "cmd.exe",
        args: ["/d", "/s", "/c", `"${line}"`],
        windowsVerbatimArguments: true,
      }
    : { file: "/bin/sh", args: ["-c", line], windowsVerbatimArguments: false };
}
