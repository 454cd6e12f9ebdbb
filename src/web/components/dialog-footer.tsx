import { Button, Group } from "@mantine/core";
import { t } from "../lib/i18n.js";
import { DisabledWithReason } from "./disabled-reason.js";

/** Cancel and submit buttons at the foot of a dialog form. */
export function DialogFooter({
  onCancel,
  submitLabel,
  loading,
  disabled,
  disabledReason,
}: {
  onCancel: () => void;
  submitLabel: string;
  loading: boolean;
  disabled?: boolean;
  /** Why submitting is not possible yet; when given, the button is disabled and says so. */
  disabledReason?: string | null;
}) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        {t("common.cancel")}
      </Button>
      {disabledReason ? (
        <DisabledWithReason reason={disabledReason}>{submitLabel}</DisabledWithReason>
      ) : (
        <Button type="submit" loading={loading} disabled={disabled}>
          {submitLabel}
        </Button>
      )}
    </Group>
  );
}
