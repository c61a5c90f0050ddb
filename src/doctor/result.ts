/** One line of `uvpv doctor`: what was checked, whether it holds, and the fix when it does not. */
export interface CheckResult {
  label: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** It holds, but something is likely to go wrong later: shown as WARN, not counted as failed. */
  warning?: boolean;
}
