/**
 * The check-in dialog: new value (or achieved), optional manual status, confidence and
 * note. Before saving it previews the KR's new progress and status and its objective's
 * roll-up, computed by the same domain code the server runs.
 */
import { Group, NumberInput, Select, Slider, Stack, Switch, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { objectiveProgressAfterCheckIn } from "../../../domain/breakdown.js";
import { krOwnProgress } from "../../../domain/progress.js";
import { computeStatus } from "../../../domain/status.js";
import { DEFAULT_SETTINGS, MANUAL_STATUSES, type ManualStatus } from "../../../domain/types.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { FormDialog } from "../../components/form-dialog.js";
import { StatusBadge } from "../../components/status-badge.js";
import { ApiError, api } from "../../lib/api.js";
import { value as formatValue, percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { Breakdown, KeyResult, Objective } from "../../lib/types.js";
import { useProgressBreakdown } from "../objectives/progress-breakdown.js";
import { useValueConfirmation } from "./check-in-value-warning.js";

/**
 * The KR's progress if `latest` were its newest check-in, and its objective's: the server's
 * roll-up (every contributing child: own key results, aligned objectives and key results, with
 * their weights) moved by this KR's share. Null objective progress while the breakdown loads.
 */
export function previewCheckIn(
  kr: KeyResult,
  breakdown: Breakdown | undefined,
  latest: { value: number | null; achieved: boolean | null },
) {
  const progress = krOwnProgress(kr, latest);
  const objectiveProgress = breakdown ? objectiveProgressAfterCheckIn(breakdown, kr.id, progress) : null;
  return { progress, objectiveProgress };
}

export function CheckInDialog({
  kr,
  objective,
  opened,
  onClose,
}: {
  kr: KeyResult;
  objective: Objective | undefined;
  opened: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const milestone = kr.type === "milestone";
  const initialValue = kr.current ?? kr.start ?? "";
  const [val, setVal] = useState<number | string>(initialValue);
  const [achieved, setAchieved] = useState<boolean>(kr.achieved ?? false);
  const [status, setStatus] = useState<string>("auto");
  const [confidence, setConfidence] = useState(7);
  const [note, setNote] = useState("");
  // Anything typed or chosen is not thrown away by Escape or a click outside without asking.
  const dirty =
    note.trim() !== "" ||
    status !== "auto" ||
    confidence !== 7 ||
    (milestone ? achieved !== (kr.achieved ?? false) : String(val) !== String(initialValue));
  const numeric = typeof val === "number" ? val : val === "" ? null : Number(val);
  const latest = milestone ? { value: null, achieved } : { value: numeric, achieved: null };
  const breakdown = useProgressBreakdown(objective?.id);
  // A value before the start or far beyond the target is saved only once the person says so.
  const confirmation = useValueConfirmation(kr, milestone ? null : numeric);

  // Cheap (one line of arithmetic): computed on every keystroke.
  const preview = (() => {
    const { progress, objectiveProgress } = previewCheckIn(kr, breakdown.data, latest);
    const now = Date.now();
    const st = computeStatus({
      closed: false,
      manualStatus: status === "auto" ? null : (status as ManualStatus),
      progress,
      hasCheckIn: true,
      span: { startMs: now - 1, endMs: now + 1e12 },
      krType: kr.type,
      expected: kr.expectedProgress,
      nowMs: now,
      settings: DEFAULT_SETTINGS,
    });
    return { progress, objectiveProgress, status: st };
  })();

  const save = useMutation({
    mutationFn: () =>
      api("POST", `/key-results/${kr.id}/check-ins`, {
        ...(milestone ? { achieved } : { value: numeric }),
        status: status === "auto" ? null : status,
        confidence,
        note,
      }),
    onSuccess: () => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("checkIn.saved"),
      });
      void invalidateForChange(queryClient, { type: "checkIn.created", objectType: "checkIn" });
      onClose();
    },
  });
  const problems =
    save.error instanceof ApiError && Array.isArray(save.error.details) ? (save.error.details as string[]) : [];
  const valueError = problems.find((p) => p.startsWith("value:"))?.slice(7);

  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={t("checkIn.title", { title: kr.title })}
      size="lg"
      discard={{ dirty, question: t("checkIn.discardTitle") }}
      onSubmit={() => confirmation.submit(() => save.mutate())}
    >
      {milestone ? (
        <Switch
          label={t("checkIn.achieved")}
          checked={achieved}
          onChange={(e) => setAchieved(e.currentTarget.checked)}
        />
      ) : (
        <NumberInput
          label={t("checkIn.value")}
          description={t("keyResult.from", {
            start: formatValue(kr, kr.start),
            target: formatValue(kr, kr.target),
          })}
          value={val}
          onChange={setVal}
          decimalScale={6}
          error={valueError}
          required
          data-autofocus
        />
      )}
      {confirmation.warning}
      <Select
        label={t("checkIn.status")}
        value={status}
        onChange={(v) => setStatus(v ?? "auto")}
        data={[
          { value: "auto", label: t("checkIn.statusAuto") },
          ...MANUAL_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
        ]}
        allowDeselect={false}
      />
      <Stack gap={4}>
        <Text size="sm" fw={500} id="confidence-label">
          {t("checkIn.confidence")}
        </Text>
        <Slider
          min={1}
          max={10}
          step={1}
          value={confidence}
          onChange={setConfidence}
          marks={[{ value: 1 }, { value: 5 }, { value: 10 }]}
          aria-labelledby="confidence-label"
          thumbLabel={t("checkIn.confidence")}
        />
      </Stack>
      <Textarea
        label={t("checkIn.note")}
        placeholder={t("checkIn.notePlaceholder")}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      <Stack gap={4} p="sm" bg="var(--mantine-color-default-hover)" style={{ borderRadius: 8 }} aria-live="polite">
        <Text size="sm" fw={600}>
          {t("checkIn.preview")}
        </Text>
        <Group gap="xs">
          <Text size="sm">
            {t("common.progress")}: {percent(preview.progress)}
          </Text>
          <StatusBadge status={preview.status} />
        </Group>
        {objective && preview.objectiveProgress !== null && (
          <Text size="sm">
            {t("checkIn.previewParent", { title: objective.title, progress: percent(preview.objectiveProgress) })}
          </Text>
        )}
      </Stack>
      {save.error && !valueError && (
        <Text c="red" size="sm" role="alert">
          {save.error.message}
        </Text>
      )}
      <DialogFooter onCancel={onClose} submitLabel={t("checkIn.save")} loading={save.isPending} />
    </FormDialog>
  );
}
