/**
 * What an objective or key result contributes to (its parents), with adding a parent,
 * changing how each alignment counts and removing it — each with a preview of what it does to
 * the parents' progress and status. Offered only to those who may make the change.
 */
import { Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { AppLink } from "../../components/app-link.js";
import { StatusBadge } from "../../components/status-badge.js";
import { percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useAlignments, useKeyResult, useObjective } from "../../lib/queries.js";
import type { Alignment, KeyResult, Objective } from "../../lib/types.js";
import { useMayEditObjective, useMayEditParent } from "./alignment-access.js";
import { AlignmentDialog, type AlignmentEdit } from "./alignment-dialog.js";

/** One parent: its figures, how the alignment counts, and the actions the person may take. */
function ParentRow({
  alignment,
  childSide,
  onEdit,
}: {
  alignment: Alignment;
  childSide: boolean;
  onEdit: (edit: AlignmentEdit) => void;
}) {
  const kr = useKeyResult(alignment.parentType === "keyResult" ? alignment.parentId : "");
  const objective = useObjective(
    alignment.parentType === "objective" ? alignment.parentId : (kr.data?.objectiveId ?? ""),
  );
  const parent: Objective | KeyResult | undefined = alignment.parentType === "objective" ? objective.data : kr.data;
  const parentSide = useMayEditParent(objective.data, alignment.parentType === "keyResult" ? kr.data : undefined);
  const title = parent?.title ?? "…";
  const note =
    alignment.state === "pending"
      ? t("alignEdit.waiting")
      : alignment.contributes
        ? t("alignEdit.weightValue", { weight: alignment.weight })
        : t("alignEdit.notCounted");
  const edit = (action: "update" | "approve" | "remove") =>
    onEdit({ action, alignment, parentTitle: title, speaksForParent: parentSide });
  return (
    <Stack gap={4} component="li" py={6} style={{ borderTop: "1px solid var(--mantine-color-default-border)" }}>
      <Group justify="space-between" gap="xs" wrap="wrap" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0, flex: "1 1 12rem" }}>
          {objective.data ? (
            <AppLink
              to="/objectives/$objectiveId"
              params={{ objectiveId: objective.data.id }}
              size="sm"
              style={{ overflowWrap: "anywhere" }}
            >
              {title}
            </AppLink>
          ) : (
            <Text size="sm">{title}</Text>
          )}
          <Text size="xs" c="dimmed">
            {alignment.parentType === "keyResult" && objective.data
              ? `${t("alignEdit.keyResultOf", { objective: objective.data.title })} · `
              : ""}
            {note}
          </Text>
        </Stack>
        {parent && (
          <Group gap={6} wrap="nowrap">
            <Text size="sm" fw={600}>
              {percent(parent.progress)}
            </Text>
            <StatusBadge status={parent.status} />
          </Group>
        )}
      </Group>
      {(childSide || parentSide) && (
        <Group gap="xs">
          {alignment.state === "pending" && parentSide && (
            <Button
              size="compact-xs"
              onClick={() => edit("approve")}
              aria-label={t("alignEdit.acceptLabel", { title })}
            >
              {t("alignEdit.accept")}
            </Button>
          )}
          <Button
            size="compact-xs"
            variant="default"
            onClick={() => edit("update")}
            aria-label={t("alignEdit.changeLabel", { title })}
          >
            {t("alignEdit.change")}
          </Button>
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            onClick={() => edit("remove")}
            aria-label={t("alignEdit.removeLabel", { title })}
          >
            {t("alignEdit.remove")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** The parents card of an objective's page or a key result's page. */
export function AlignmentParents(props: { objective: Objective } | { keyResult: KeyResult }) {
  const node =
    "objective" in props
      ? { type: "objective" as const, id: props.objective.id, title: props.objective.title }
      : { type: "keyResult" as const, id: props.keyResult.id, title: props.keyResult.title };
  const ownObjective = useObjective("objective" in props ? "" : props.keyResult.objectiveId);
  const childObjective = "objective" in props ? props.objective : ownObjective.data;
  // A closed objective (and its key results) keeps its alignments as they were: reopen it to change them.
  const childSide = useMayEditObjective(childObjective) && childObjective?.state !== "closed";
  const parents = useAlignments({ childId: node.id });
  const [edit, setEdit] = useState<AlignmentEdit | null>(null);
  const items = parents.data?.items ?? [];
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Title order={3} size="h5">
            {t("alignEdit.title")}
          </Title>
          {childSide && (
            <Button
              size="compact-sm"
              variant="light"
              onClick={() => setEdit({ action: "add", childType: node.type, childId: node.id, childTitle: node.title })}
            >
              {t("alignEdit.add")}
            </Button>
          )}
        </Group>
        {parents.isError ? (
          <Text size="sm" c="red">
            {parents.error.message}
          </Text>
        ) : items.length === 0 ? (
          <Text size="sm" c="dimmed">
            {parents.isPending ? t("common.loading") : t("alignEdit.none")}
          </Text>
        ) : (
          <Stack gap={0} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
            {items.map((a) => (
              <ParentRow key={a.id} alignment={a} childSide={childSide} onEdit={setEdit} />
            ))}
          </Stack>
        )}
      </Stack>
      {edit && <AlignmentDialog edit={edit} onClose={() => setEdit(null)} />}
    </Card>
  );
}
