/**
 * What can be done to an objective from its page: publish a draft, edit, clone, close and
 * score, move to the trash, or reopen once closed. Offered only to those who may (its
 * owners, their managers, the team's owners, admins); a member who may not sees a disabled
 * Edit with the reason, an observer sees none. A refusal shows the server's message.
 */
import { Button, Group } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { DisabledWithReason } from "../../components/disabled-reason.js";
import { api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-review.js";
import { invalidateForChange } from "../../lib/live.js";
import { useReview } from "../../lib/queries.js";
import type { Objective } from "../../lib/types.js";
import { saveProblem } from "../key-results/key-result-dialog.js";
import { useObjectiveAccess } from "./objective-access.js";
import { ObjectiveCloseDialog } from "./objective-close-dialog.js";
import { ObjectiveDeleteDialog } from "./objective-delete-dialog.js";
import { ObjectiveEditDialog } from "./objective-edit-dialog.js";

const failed = (err: Error) =>
  notifications.show({ color: "red", title: t("okrEdit.failed"), message: saveProblem(err) });

/** A copy of the objective as a draft, with copies of its key results. */
async function cloneObjective(objective: Objective): Promise<Objective> {
  const copy = await api<Objective>("POST", "/objectives", {
    title: `${objective.title} (copy)`,
    description: objective.description,
    level: objective.level,
    teamId: objective.teamId,
    ownerIds: objective.ownerIds,
    periodId: objective.periodId,
    committed: objective.committed,
    visibility: objective.visibility,
    state: "draft",
  });
  for (const k of objective.keyResults) {
    await api("POST", `/objectives/${copy.id}/key-results`, {
      title: k.title,
      description: k.description,
      type: k.type,
      unit: k.unit,
      currency: k.currency,
      start: k.start,
      target: k.target,
      baselineConfirmed: k.baselineConfirmed,
      startDate: k.startDate,
      endDate: k.endDate,
      plan: k.plan,
      weight: k.weight,
      ownerIds: k.ownerIds,
      delegateIds: k.delegateIds,
      progressMode: k.progressMode,
      rollup: k.rollup,
    });
  }
  return copy;
}

export function ObjectiveActions({ objective }: { objective: Objective }) {
  const access = useObjectiveAccess(objective);
  // With reviews on, a draft is published once approved (or by an admin, skipping the review).
  const review = useReview(objective.id, objective.state === "draft");
  const [closing, setClosing] = useState(false);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const changed = (type: string) => void invalidateForChange(queryClient, { type, objectType: "objective" });
  const clone = useMutation({
    mutationFn: () => cloneObjective(objective),
    onSuccess: (copy) => {
      changed("objective.created");
      void navigate({ to: "/objectives/$objectiveId", params: { objectiveId: copy.id } });
    },
    onError: failed,
  });
  const reopen = useMutation({
    mutationFn: () => api("POST", `/objectives/${objective.id}/reopen`),
    onSuccess: () => changed("objective.reopened"),
    onError: failed,
  });
  const publish = useMutation({
    mutationFn: () => api("PATCH", `/objectives/${objective.id}`, { state: "active", version: objective.version }),
    onSuccess: () => {
      notifications.show({ color: "teal", message: t("okrEdit.published", { title: objective.title }) });
      changed("objective.updated");
    },
    onError: (err) => {
      failed(err);
      changed("objective.updated");
    },
  });
  if (access.loading || !access.contributes) return null;
  if (!access.editsObjective) {
    return (
      <DisabledWithReason variant="default" size="xs" reason={access.reason}>
        {t("edit.open")}
      </DisabledWithReason>
    );
  }
  if (objective.state === "closed") {
    return (
      <Button variant="default" size="xs" onClick={() => reopen.mutate()} loading={reopen.isPending}>
        {t("close.reopen")}
      </Button>
    );
  }
  return (
    <Group gap="xs" justify="flex-end">
      {objective.state === "draft" && review.data && (!review.data.workflow || review.data.canPublish) && (
        <Button
          size="xs"
          onClick={() => publish.mutate()}
          loading={publish.isPending}
          title={
            review.data.workflow && objective.reviewState !== "approved"
              ? t("review.publishWithoutReviewHelp")
              : t("okrEdit.draftHelp")
          }
        >
          {review.data.workflow && objective.reviewState !== "approved"
            ? t("review.publishWithoutReview")
            : t("okrEdit.publish")}
        </Button>
      )}
      <Button variant="default" size="xs" onClick={() => setEditing(true)}>
        {t("edit.open")}
      </Button>
      <Button variant="default" size="xs" onClick={() => clone.mutate()} loading={clone.isPending}>
        {t("edit.clone")}
      </Button>
      <Button variant="light" size="xs" onClick={() => setClosing(true)}>
        {t("close.open")}
      </Button>
      <Button variant="subtle" color="red" size="xs" onClick={() => setDeleting(true)}>
        {t("okrEdit.delete")}
      </Button>
      {closing && <ObjectiveCloseDialog objective={objective} opened={closing} onClose={() => setClosing(false)} />}
      {editing && <ObjectiveEditDialog objective={objective} opened={editing} onClose={() => setEditing(false)} />}
      <ObjectiveDeleteDialog objective={deleting ? objective : null} onClose={() => setDeleting(false)} />
    </Group>
  );
}
