/**
 * Adding a parent, changing how an alignment counts (weight, counted or not) and removing it:
 * one dialog that shows the server's preview of the change before it is saved.
 */
import { Alert, Button, Group, Modal, NumberInput, Stack, Switch, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import { useKeyResult, useObjective } from "../../lib/queries.js";
import type { Alignment } from "../../lib/types.js";
import { AlignTargetSelect } from "../pickers/pickers.js";
import { useMayEditParent } from "./alignment-access.js";
import { type AlignmentChange, AlignmentPreviewPanel, useAlignmentPreview } from "./alignment-preview.js";

/** What the dialog does: add a parent to a child, or change or remove an existing alignment. */
export type AlignmentEdit =
  | { action: "add"; childType: "objective" | "keyResult"; childId: string; childTitle: string }
  | { action: "update" | "approve" | "remove"; alignment: Alignment; parentTitle: string; speaksForParent: boolean };

/** The parent named by the picker's value (`objective:<id>` or `keyResult:<id>`), with whether the person may edit it. */
function usePickedParent(value: string | null) {
  const [type, id] = value ? (value.split(":") as [string, string]) : [null, null];
  const kr = useKeyResult(type === "keyResult" && id ? id : "");
  const objective = useObjective(type === "objective" && id ? id : (kr.data?.objectiveId ?? ""));
  const mayEdit = useMayEditParent(objective.data, type === "keyResult" ? kr.data : undefined);
  const title = type === "keyResult" ? kr.data?.title : objective.data?.title;
  return type && id ? { type, id, title: title ?? "…", known: !!objective.data, mayEdit } : null;
}

const WEIGHT_DEFAULT = 1;

export function AlignmentDialog({ edit, onClose }: { edit: AlignmentEdit; onClose: () => void }) {
  const queryClient = useQueryClient();
  const existing = edit.action === "add" ? null : edit.alignment;
  const [picked, setPicked] = useState<string | null>(null);
  const [weight, setWeight] = useState<number | string>(existing?.weight ?? WEIGHT_DEFAULT);
  // A request counts once accepted: accepting shows it counting.
  const [contributes, setContributes] = useState(existing ? existing.contributes || edit.action === "approve" : true);
  const parent = usePickedParent(picked);
  const parentTitle = edit.action === "add" ? (parent?.title ?? "") : edit.parentTitle;
  const speaksForParent = edit.action === "add" ? !!parent?.mayEdit : edit.speaksForParent;
  const weightNumber = typeof weight === "number" ? weight : Number.NaN;
  const weightOk = Number.isFinite(weightNumber) && weightNumber >= 0;
  const weightLocked =
    !speaksForParent || (edit.action !== "add" && edit.action !== "approve" && existing?.state === "pending");

  let change: AlignmentChange | null = null;
  if (edit.action === "add") {
    if (parent?.known && weightOk) {
      change = {
        action: "add",
        childType: edit.childType,
        childId: edit.childId,
        parentType: parent.type,
        parentId: parent.id,
        ...(weightLocked ? {} : { weight: weightNumber }),
        contributes,
      };
    }
  } else if (edit.action === "update") {
    if (weightOk) {
      change = {
        action: "update",
        alignmentId: edit.alignment.id,
        ...(weightNumber !== edit.alignment.weight ? { weight: weightNumber } : {}),
        ...(contributes !== edit.alignment.contributes ? { contributes } : {}),
      };
    }
  } else if (edit.action === "approve") {
    if (weightOk) change = { action: "approve", alignmentId: edit.alignment.id, weight: weightNumber };
  } else {
    change = { action: "remove", alignmentId: edit.alignment.id };
  }
  const unchanged = change?.action === "update" && change.weight === undefined && change.contributes === undefined;
  const preview = useAlignmentPreview(unchanged ? null : change);

  const save = useMutation({
    mutationFn: async (c: AlignmentChange) => {
      if (c.action === "add") {
        const { action: _a, ...body } = c;
        return api("POST", "/alignments", body);
      }
      if (c.action === "update") {
        const { action: _a, alignmentId, ...body } = c;
        return api("PATCH", `/alignments/${alignmentId}`, body);
      }
      if (c.action === "approve") {
        const { action: _a, alignmentId, ...body } = c;
        return api("POST", `/alignments/${alignmentId}/approve`, body);
      }
      return api("DELETE", `/alignments/${c.alignmentId}`);
    },
    onSuccess: () => {
      notifications.show({
        message: edit.action === "remove" ? t("alignEdit.removed") : t("alignEdit.saved"),
        closeButtonProps: { "aria-label": t("common.close") },
      });
      onClose();
      void invalidateForChange(queryClient, { type: `alignment.${edit.action}`, objectType: "alignment" });
    },
  });

  const pending = preview.query.data?.outcome === "pending";
  const blocked: string | null = !change
    ? edit.action === "add"
      ? t("alignEdit.pickFirst")
      : t("alignEdit.weightInvalid")
    : unchanged
      ? t("alignEdit.nothingChanged")
      : preview.query.error
        ? t("alignEdit.fixFirst")
        : null;
  const submitLabel =
    edit.action === "remove"
      ? t("alignEdit.remove")
      : edit.action === "approve"
        ? t("alignEdit.accept")
        : pending
          ? t("alignEdit.ask")
          : t("alignEdit.save");
  const title =
    edit.action === "add"
      ? t("alignEdit.addTitle", { title: edit.childTitle })
      : edit.action === "update"
        ? t("alignEdit.changeTitle", { title: edit.parentTitle })
        : edit.action === "approve"
          ? t("alignEdit.acceptTitle", { title: edit.parentTitle })
          : t("alignEdit.removeTitle", { title: edit.parentTitle });

  let weightField: ReactNode = (
    <NumberInput
      label={t("alignEdit.weight")}
      description={t("alignEdit.weightHelp")}
      value={weight}
      onChange={setWeight}
      min={0}
      step={1}
      decimalScale={4}
      disabled={weightLocked}
      error={weightOk ? undefined : t("alignEdit.weightInvalid")}
    />
  );
  if (weightLocked) {
    weightField = (
      <Tooltip
        label={
          existing?.state === "pending"
            ? t("alignEdit.weightPending")
            : t("alignEdit.weightLocked", { parent: parentTitle || t("alignEdit.theParent") })
        }
        multiline
        w={280}
      >
        <div>{weightField}</div>
      </Tooltip>
    );
  }

  return (
    <Modal opened onClose={onClose} title={title} size="lg" closeButtonProps={{ "aria-label": t("common.close") }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (change && !blocked) save.mutate(change);
        }}
      >
        <Stack>
          {edit.action === "add" && (
            <AlignTargetSelect
              label={t("alignEdit.parent")}
              placeholder={t("alignEdit.parentPlaceholder")}
              value={picked}
              onChange={setPicked}
              data-autofocus
            />
          )}
          {edit.action === "remove" ? (
            <Text size="sm">{t("alignEdit.removeText", { title: edit.parentTitle })}</Text>
          ) : (
            <>
              {weightField}
              {edit.action !== "approve" && (
                <Switch
                  label={t("alignEdit.contributes")}
                  description={t("alignEdit.contributesHelp")}
                  checked={contributes}
                  onChange={(e) => setContributes(e.currentTarget.checked)}
                />
              )}
            </>
          )}
          <AlignmentPreviewPanel
            preview={unchanged ? null : preview}
            emptyText={unchanged ? t("alignEdit.nothingChanged") : t("alignEdit.pickFirst")}
          />
          {save.error && (
            <Alert color="red" title={t("alignEdit.failed")}>
              {save.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Tooltip label={blocked ?? ""} disabled={!blocked}>
              <Button
                type="submit"
                color={edit.action === "remove" ? "red" : undefined}
                loading={save.isPending}
                data-disabled={blocked ? true : undefined}
                aria-disabled={blocked ? true : undefined}
                onClick={(e) => {
                  if (blocked) e.preventDefault();
                }}
              >
                {submitLabel}
              </Button>
            </Tooltip>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
