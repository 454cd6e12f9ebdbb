import { Alert, Checkbox, Stack, Text } from "@mantine/core";
import { type ReactNode, useState } from "react";
import { unusualCheckInValue } from "../../../domain/progress.js";
import { value as formatValue, percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import type { KeyResult } from "../../lib/types.js";

/**
 * Whether `value` needs the person's word before it is saved (okr-method §2 keeps it, unclamped),
 * and whether they gave it for this very value.
 */
function valueCheck(kr: KeyResult, value: number | null, confirmedValue: number | null) {
  const unusual = unusualCheckInValue(kr, value);
  return { unusual, confirmed: unusual === null || confirmedValue === value };
}

/**
 * What a check-in form needs for an unusual value: `warning` (the question to show under the
 * value, or nothing) and `submit`, which runs `save` once the value is usual or confirmed, and
 * otherwise points at the box to tick. `value` is null for a milestone (never unusual);
 * `alreadyConfirmed` is a value asked about before (an edited check-in's saved value).
 */
export function useValueConfirmation(
  kr: KeyResult,
  value: number | null,
  alreadyConfirmed: number | null = null,
): { warning: ReactNode; submit: (save: () => void) => void } {
  const [confirmedValue, setConfirmedValue] = useState<number | null>(alreadyConfirmed);
  const [tried, setTried] = useState(false);
  const { confirmed } = valueCheck(kr, value, confirmedValue);
  return {
    warning: (
      <CheckInValueWarning
        kr={kr}
        value={value}
        confirmed={confirmed}
        onConfirm={(yes) => setConfirmedValue(yes ? value : null)}
        showError={tried}
      />
    ),
    submit: (save) => {
      if (confirmed) save();
      else setTried(true);
    },
  };
}

/**
 * A question under the value of a check-in that lies before the start of its key result, or far
 * beyond its target: what progress it would give, and a box to tick to save it anyway.
 */
function CheckInValueWarning({
  kr,
  value,
  confirmed,
  onConfirm,
  showError,
}: {
  kr: KeyResult;
  value: number | null;
  confirmed: boolean;
  onConfirm: (yes: boolean) => void;
  /** Set after a save was tried without the box ticked. */
  showError: boolean;
}) {
  const unusual = unusualCheckInValue(kr, value);
  if (!unusual || value === null) return null;
  const shown = formatValue(kr, value);
  const vars = {
    value: shown,
    start: formatValue(kr, kr.start),
    target: formatValue(kr, kr.target),
    progress: percent(unusual.progress),
  };
  const message =
    unusual.kind === "farBeyond"
      ? t("checkIn.farBeyond", vars)
      : t(kr.type === "decrease" ? "checkIn.aboveStart" : "checkIn.belowStart", vars);
  return (
    <Alert color="yellow" title={t("checkIn.unusualTitle")} data-testid="check-in-value-warning">
      <Stack gap="xs">
        <Text size="sm">
          {message}{" "}
          {unusual.kind === "farBeyond"
            ? t("checkIn.farBeyondHelp")
            : t("checkIn.beforeStartHelp", { zero: percent(0) })}
        </Text>
        <Checkbox
          label={t("checkIn.saveAnyway", { value: shown })}
          checked={confirmed}
          onChange={(e) => onConfirm(e.currentTarget.checked)}
          error={showError && !confirmed ? t("checkIn.confirmFirst", { value: shown }) : undefined}
        />
      </Stack>
    </Alert>
  );
}
