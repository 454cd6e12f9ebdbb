/**
 * Close and score an objective: each KR's suggested score (its progress, by the domain's
 * rounding), an override with a reason, the objective's score computed live with the same
 * weights, and the closing note, learnings and next steps.
 */
import { Group, NumberInput, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { grade, objectiveScore, suggestedKrScore } from "../../../domain/scoring.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { api } from "../../lib/api.js";
import { percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { Objective } from "../../lib/types.js";

const GRADE_COLOR = { red: "red", yellow: "yellow.8", green: "teal" } as const;

/**
 * Reads a score as typed: a number from 0 to 1 with at most one decimal (okr-method.md §6).
 * Anything else is an error to show at the field, never a value silently changed.
 */
function readScore(raw: string | number): { score: number; error: null } | { score: null; error: string } {
  const text = String(raw).trim();
  if (text === "") return { score: null, error: t("close.scoreRequired") };
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) return { score: null, error: t("close.scoreRange") };
  if (!/^\d*(\.\d?)?$/.test(text)) return { score: null, error: t("close.scoreDecimals") };
  return { score: n, error: null };
}

export function ObjectiveCloseDialog({ objective, opened, onClose }: DialogProps & { objective: Objective }) {
  const queryClient = useQueryClient();
  const krs = objective.keyResults.filter((k) => k.type !== "baseline");
  const [typed, setTyped] = useState<Record<string, string | number>>(() =>
    Object.fromEntries(krs.map((k) => [k.id, suggestedKrScore(k.progress)])),
  );
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [note, setNote] = useState("");
  const [learnings, setLearnings] = useState("");
  const [next, setNext] = useState("");
  // Scores changed or words written are not thrown away by Escape or a click outside without asking.
  const dirty =
    [note, learnings, next, ...Object.values(reasons)].some((x) => x.trim() !== "") ||
    krs.some((k) => String(typed[k.id] ?? "") !== String(suggestedKrScore(k.progress)));
  const read = Object.fromEntries(krs.map((k) => [k.id, readScore(typed[k.id] ?? "")]));
  const scores = Object.fromEntries(krs.map((k) => [k.id, read[k.id]?.score ?? null]));
  const hasError = krs.some((k) => read[k.id]?.error);
  const score = hasError ? null : objectiveScore(krs.map((k) => ({ score: scores[k.id] ?? 0, weight: k.weight })));
  const close = useMutation({
    mutationFn: () =>
      api("POST", `/objectives/${objective.id}/close`, {
        note,
        learnings,
        next,
        keyResultScores: krs
          .filter((k) => scores[k.id] !== suggestedKrScore(k.progress))
          .map((k) => ({ keyResultId: k.id, score: scores[k.id] ?? 0, reason: reasons[k.id] ?? "" })),
      }),
    onSuccess: () => {
      void invalidateForChange(queryClient, { type: "objective.closed", objectType: "objective" });
      onClose();
    },
  });
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={t("close.title", { title: objective.title })}
      size="xl"
      discard={{ dirty, question: t("okrEdit.discardTitle") }}
      onSubmit={() => {
        if (!hasError) close.mutate();
      }}
    >
      {/* One block per key result, its score and reason side by side where there is room, stacked on a phone. */}
      <Stack gap="md" role="list" aria-label={t("objective.keyResults")}>
        {krs.map((k) => {
          const suggested = suggestedKrScore(k.progress);
          const changed = scores[k.id] !== suggested;
          return (
            <Stack key={k.id} gap={4} role="listitem">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Text fw={600} size="sm">
                  {k.title}
                </Text>
                <Text size="sm" c="dimmed">
                  {percent(k.progress)}
                </Text>
              </Group>
              <Group align="flex-start" wrap="wrap" gap="sm">
                <NumberInput
                  label={t("close.score")}
                  aria-label={`${t("close.score")}: ${k.title}`}
                  value={typed[k.id] ?? ""}
                  min={0}
                  max={1}
                  step={0.1}
                  clampBehavior="none"
                  w={110}
                  onChange={(v) => setTyped((s) => ({ ...s, [k.id]: v }))}
                  description={t("close.suggested", { score: suggested.toFixed(1) })}
                  error={read[k.id]?.error}
                />
                <TextInput
                  label={t("close.reason")}
                  aria-label={`${t("close.reason")}: ${k.title}`}
                  value={reasons[k.id] ?? ""}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setReasons((r) => ({ ...r, [k.id]: v }));
                  }}
                  required={changed}
                  disabled={!changed}
                  style={{ flex: "1 1 12rem" }}
                />
              </Group>
            </Stack>
          );
        })}
      </Stack>
      <Text fw={700} c={score === null ? undefined : GRADE_COLOR[grade(score)]} aria-live="polite">
        {t("close.objectiveScore", { score: score === null ? "—" : score.toFixed(1) })}
      </Text>
      <Textarea
        label={t("close.note")}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      <Textarea
        label={t("close.learnings")}
        value={learnings}
        onChange={(e) => setLearnings(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      <Textarea
        label={t("close.next")}
        value={next}
        onChange={(e) => setNext(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      {close.error && (
        <Text c="red" size="sm" role="alert">
          {close.error.message}
        </Text>
      )}
      <DialogFooter
        onCancel={onClose}
        submitLabel={t("close.submit")}
        loading={close.isPending}
        disabledReason={hasError ? t("close.fixScores") : null}
      />
    </FormDialog>
  );
}
