/**
 * Close and score an objective: each KR's suggested score (its progress, by the domain's
 * rounding), an override with a reason, the objective's score computed live with the same
 * weights, and the closing note, learnings and next steps.
 */
import { NumberInput, Table, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { grade, objectiveScore, roundScore, suggestedKrScore } from "../../../domain/scoring.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { api } from "../../lib/api.js";
import { percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { Objective } from "../../lib/types.js";

const GRADE_COLOR = { red: "red", yellow: "yellow.8", green: "teal" } as const;

export function ObjectiveCloseDialog({ objective, opened, onClose }: DialogProps & { objective: Objective }) {
  const queryClient = useQueryClient();
  const krs = objective.keyResults.filter((k) => k.type !== "baseline");
  const [scores, setScores] = useState<Record<string, number>>(() =>
    Object.fromEntries(krs.map((k) => [k.id, suggestedKrScore(k.progress)])),
  );
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [note, setNote] = useState("");
  const [learnings, setLearnings] = useState("");
  const [next, setNext] = useState("");
  const score = objectiveScore(krs.map((k) => ({ score: scores[k.id] ?? 0, weight: k.weight })));
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
      onSubmit={() => close.mutate()}
    >
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("objective.keyResults")}</Table.Th>
            <Table.Th>{t("common.progress")}</Table.Th>
            <Table.Th>{t("close.score")}</Table.Th>
            <Table.Th>{t("close.reason")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {krs.map((k) => {
            const suggested = suggestedKrScore(k.progress);
            const changed = scores[k.id] !== suggested;
            return (
              <Table.Tr key={k.id}>
                <Table.Td>{k.title}</Table.Td>
                <Table.Td>{percent(k.progress)}</Table.Td>
                <Table.Td>
                  <NumberInput
                    aria-label={`${t("close.score")}: ${k.title}`}
                    value={scores[k.id]}
                    min={0}
                    max={1}
                    step={0.1}
                    decimalScale={1}
                    w={90}
                    onChange={(v) => setScores((s) => ({ ...s, [k.id]: roundScore(Number(v) || 0) }))}
                    description={t("close.suggested", { score: suggested.toFixed(1) })}
                  />
                </Table.Td>
                <Table.Td>
                  <TextInput
                    aria-label={`${t("close.reason")}: ${k.title}`}
                    value={reasons[k.id] ?? ""}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      setReasons((r) => ({ ...r, [k.id]: v }));
                    }}
                    required={changed}
                    disabled={!changed}
                  />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
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
      <DialogFooter onCancel={onClose} submitLabel={t("close.submit")} loading={close.isPending} />
    </FormDialog>
  );
}
