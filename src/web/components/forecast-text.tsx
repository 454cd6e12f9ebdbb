import { Text } from "@mantine/core";
import type { Status } from "../../domain/types.js";
import { percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";

interface Forecast {
  progress: number;
  low: number | null;
  high: number | null;
}

/** Below this the trend of an on-track item is worth a word (aspirational success is about 0.7). */
const WEAK_FORECAST = 0.7;

/**
 * Where the trend of check-ins ends the period, with its 80 % range. Status compares today with
 * the plan and the forecast extrapolates the check-ins, so the two can disagree; when they do,
 * a sentence says why instead of leaving two contradicting figures side by side.
 */
export function ForecastText({ forecast, status }: { forecast: Forecast | null; status: Status }) {
  if (!forecast) return null;
  const range =
    forecast.low !== null && forecast.high !== null
      ? ` (${t("forecast.range", { low: percent(forecast.low), high: percent(forecast.high) })})`
      : "";
  const why =
    (status === "behind" || status === "atRisk") && forecast.progress >= 1
      ? t("forecast.behindButTrend")
      : status === "onTrack" && forecast.progress < WEAK_FORECAST
        ? t("forecast.onTrackButTrend")
        : null;
  return (
    <Text size="xs" c="dimmed" maw={320} ta="right">
      {t("common.forecast")}: {percent(forecast.progress)}
      {range}
      {why && (
        <>
          <br />
          {why}
        </>
      )}
    </Text>
  );
}
