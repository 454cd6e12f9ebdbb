/**
 * A whole number typed into a text field, checked as typed: nothing is clamped or dropped, so a
 * message can quote what the person wrote.
 */
import { t } from "./i18n.js";
import "./i18n-settings.js";

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** The number in `text` (surrounding spaces allowed), or NaN when it is not one. */
export function numberOf(text: string): number {
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/**
 * Why `text` is not a whole number from `min` to `max`, in a sentence naming the field (`name`)
 * and the allowed range, or null when it is one.
 */
export function wholeNumberProblem(text: string, name: string, min: number, max: number): string | null {
  const trimmed = text.trim();
  if (!trimmed) return t("settingsForm.wholeMissing", { name, min, max });
  const n = numberOf(trimmed);
  if (Number.isNaN(n)) return t("settingsForm.wholeNotNumber", { name, min, max, text: trimmed });
  if (!Number.isInteger(n) || n < min || n > max)
    return t("settingsForm.wholeOutside", { name, min, max, text: trimmed });
  return null;
}
