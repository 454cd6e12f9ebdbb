/**
 * What can be done to an objective from its page: a draft is edited, published or moved to the
 * trash; a live one is edited, cloned (asked first), closed and scored or moved to the trash; a
 * closed one is reopened (asked first), not while its period is closed (disabled, with the
 * reason). Offered only to those who may (its owners, their managers, the team's owners,
 * admins); a member who may not sees a disabled Edit with the reason, an observer sees none. A
 * refusal shows the server's message.
 */
import { Button, Group, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "../../components/confirm-dialog.js";
import { DisabledWithReason } from "../../components/disabled-reason.js";
import { api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-lifecycle.js";
import "../../lib/i18n-review.js";
import { invalidateForChange } from "../../lib/live.js";
import { usePeriods, useReview } from "../../lib/queries.js";
import type { Objective } from "../../lib/types.js";
import { saveProblem } from "../key-results/key-result-dialog.js";
import { useObjectiveAccess } from "./objective-access.js";
import { ObjectiveCloneDialog } from "./objective-clone-dialog.js";
import { ObjectiveCloseDialog } from "./objective-close-dialog.js";
import { ObjectiveDeleteDialog } from "./objective-delete-dialog.js";
import { ObjectiveEditDialog } from "./objective-edit-dialog.js";

const failed = (err: Error) =>
  notifications.show({ color: "red", title: t("okrEdit.failed"), message: saveProblem(err) });

export function ObjectiveActions({ objective }: { objective: Objective }) {
  const access = useObjectiveAccess(objective);
  // With reviews on, a draft is published once approved (or by an admin, skipping the review).
  const review = useReview(objective.id, objective.state === "draft");
  const [closing, setClosing] = useState(false);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [cloning, setCloning] = useState(false);
  const [reopening, setReopening] = useState(false);
  const queryClient = useQueryClient();
  const period = usePeriods().data?.items.find((p) => p.id === objective.periodId);
  const changed = (type: string) => void invalidateForChange(queryClient, { type, objectType: "objective" });
  const reopen = useMutation({
    mutationFn: () => api("POST", `/objectives/${objective.id}/reopen`),
    onSuccess: () => {
      setReopening(false);
      changed("objective.reopened");
    },
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
    // A closed period keeps its objectives closed: the period is reopened, not one objective.
    if (period?.closedAt) {
      return (
        <DisabledWithReason variant="default" size="xs" reason={t("lifecycle.periodClosed", { period: period.name })}>
          {t("close.reopen")}
        </DisabledWithReason>
      );
    }
    return (
      <>
        <Button variant="default" size="xs" onClick={() => setReopening(true)}>
          {t("close.reopen")}
        </Button>
        <ConfirmDialog
          subject={reopening ? objective : null}
          onClose={() => {
            reopen.reset();
            setReopening(false);
          }}
          title={t("lifecycle.reopenTitle", { title: objective.title })}
          error={reopen.error}
          errorTitle={t("lifecycle.reopenFailed")}
          confirmLabel={t("lifecycle.reopenConfirm")}
          loading={reopen.isPending}
          onConfirm={() => reopen.mutate()}
        >
          {(o) => (
            <Text>
              {o.score === null
                ? t("lifecycle.reopenNoScore")
                : t("lifecycle.reopenQuestion", { score: o.score.toFixed(1) })}
            </Text>
          )}
        </ConfirmDialog>
      </>
    );
  }
  const isDraft = objective.state === "draft";
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
      {/* A draft is no commitment yet: it is published or deleted, not copied or scored. */}
      {!isDraft && (
        <Button variant="default" size="xs" onClick={() => setCloning(true)}>
          {t("edit.clone")}
        </Button>
      )}
      {!isDraft && (
        <Button variant="light" size="xs" onClick={() => setClosing(true)}>
          {t("close.open")}
        </Button>
      )}
      <Button variant="subtle" color="red" size="xs" onClick={() => setDeleting(true)}>
        {t("okrEdit.delete")}
      </Button>
      {closing && <ObjectiveCloseDialog objective={objective} opened={closing} onClose={() => setClosing(false)} />}
      {cloning && <ObjectiveCloneDialog objective={objective} onClose={() => setCloning(false)} />}
      {editing && <ObjectiveEditDialog objective={objective} opened={editing} onClose={() => setEditing(false)} />}
      <ObjectiveDeleteDialog objective={deleting ? objective : null} onClose={() => setDeleting(false)} />
    </Group>
  );
}
