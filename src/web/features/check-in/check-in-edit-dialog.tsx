/**
 * Correct one of my check-ins (value or achieved, note, confidence). The server keeps the
 * earlier version in the check-in's history.
 */
import { NumberInput, Switch, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { DialogFooter } from "../../components/dialog-footer.js";
import { FormDialog } from "../../components/form-dialog.js";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { CheckIn, KeyResult } from "../../lib/types.js";
import { useValueConfirmation } from "./check-in-value-warning.js";

export function CheckInEditDialog({
  kr,
  checkIn,
  opened,
  onClose,
}: {
  kr: KeyResult;
  checkIn: CheckIn;
  opened: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const milestone = kr.type === "milestone";
  const [value, setValue] = useState<number | string>(checkIn.value ?? "");
  const [achieved, setAchieved] = useState(checkIn.achieved ?? false);
  const [note, setNote] = useState(checkIn.note);
  const numeric = value === "" ? null : Number(value);
  const dirty = milestone
    ? achieved !== (checkIn.achieved ?? false) || note !== checkIn.note
    : String(value) !== String(checkIn.value ?? "") || note !== checkIn.note;
  // The value it already had was asked about when it was saved.
  const confirmation = useValueConfirmation(kr, milestone ? null : numeric, checkIn.value);
  const save = useMutation({
    mutationFn: () =>
      api("PATCH", `/check-ins/${checkIn.id}`, {
        version: checkIn.version,
        ...(milestone ? { achieved } : { value: numeric }),
        note,
      }),
    onSettled: () => void invalidateForChange(queryClient, { type: "checkIn.updated", objectType: "checkIn" }),
    onSuccess: onClose,
  });
  const message =
    save.error instanceof ApiError && save.error.code === "VERSION_CONFLICT" ? t("edit.conflict") : save.error?.message;
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={t("edit.editCheckIn")}
      discard={{ dirty, question: t("okrEdit.discardTitle") }}
      onSubmit={() => confirmation.submit(() => save.mutate())}
    >
      {milestone ? (
        <Switch
          label={t("checkIn.achieved")}
          checked={achieved}
          onChange={(e) => setAchieved(e.currentTarget.checked)}
        />
      ) : (
        <>
          <NumberInput
            label={t("checkIn.value")}
            value={value}
            onChange={setValue}
            decimalScale={6}
            required
            data-autofocus
          />
          {confirmation.warning}
        </>
      )}
      <Textarea
        label={t("checkIn.note")}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      {message && (
        <Text c="red" size="sm" role="alert">
          {message}
        </Text>
      )}
      <DialogFooter onCancel={onClose} submitLabel={t("common.save")} loading={save.isPending} />
    </FormDialog>
  );
}
