import { Button, Group } from "@mantine/core";
import { t } from "../lib/i18n.js";

/** Cancel and submit buttons at the foot of a dialog form. */
export function DialogFooter({
  onCancel,
  submitLabel,
  loading,
  disabled,
}: {
  onCancel: () => void;
  submitLabel: string;
  loading: boolean;
  disabled?: boolean;
}) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        {t("common.cancel")}
      </Button>
      <Button type="submit" loading={loading} disabled={disabled}>
        {submitLabel}
      </Button>
    </Group>
  );
}
