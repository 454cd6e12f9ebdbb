/**
 * The review workflow on a draft's page (#12): its state, its reviewers, what keeps it from
 * being submitted (the coach's errors), Submit for review for its editors, Approve and Send back
 * (with a comment) for its reviewers, and the trail of steps. Shown while reviews are on, or
 * once an objective has a trail. What each person may do comes from the server (`can…`).
 */
import { Badge, Button, Card, Group, List, Stack, Text, Textarea, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CoachFinding } from "../../components/coach-finding.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { DisabledWithReason } from "../../components/disabled-reason.js";
import { FormDialog } from "../../components/form-dialog.js";
import { api } from "../../lib/api.js";
import { dateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-review.js";
import { invalidateForChange } from "../../lib/live.js";
import { useReview } from "../../lib/queries.js";
import type { Objective, Review } from "../../lib/types.js";
import { saveProblem } from "../key-results/key-result-dialog.js";

const STATE_COLOR: Record<Review["state"], string> = {
  draft: "gray",
  inReview: "yellow",
  approved: "teal",
  active: "blue",
  closed: "dark",
};

type Step = "submit" | "approve" | "sendBack";

const STEP_URL: Record<Step, string> = { submit: "submit", approve: "approve", sendBack: "send-back" };

/** The dialog of one step, with its comment (required to send back). */
function ReviewStepDialog({ objective, step, onClose }: { objective: Objective; step: Step; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [comment, setComment] = useState("");
  const [touched, setTouched] = useState(false);
  const required = step === "sendBack";
  const missing = required && !comment.trim();
  const run = useMutation({
    mutationFn: () =>
      api<Review>("POST", `/objectives/${objective.id}/review/${STEP_URL[step]}`, comment.trim() ? { comment } : {}),
    onSuccess: () => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t(step === "submit" ? "review.submitted" : step === "approve" ? "review.approved" : "review.sentBack"),
      });
      onClose();
      void invalidateForChange(queryClient, { type: "objective.updated", objectType: "objective" });
    },
    onError: (err) => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "red",
        title: t("review.failed"),
        message: saveProblem(err),
      });
      void invalidateForChange(queryClient, { type: "objective.updated", objectType: "objective" });
    },
  });
  const title =
    step === "submit"
      ? t("review.submit")
      : t(step === "approve" ? "review.approveTitle" : "review.sendBackTitle", { title: objective.title });
  const label =
    step === "submit"
      ? t("review.submitComment")
      : step === "approve"
        ? t("review.approveComment")
        : t("review.sendBackComment");
  return (
    <FormDialog
      opened
      onClose={onClose}
      title={title}
      onSubmit={() => {
        setTouched(true);
        if (!missing) run.mutate();
      }}
    >
      <Textarea
        label={label}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
        autosize
        minRows={3}
        maxLength={5000}
        // Checked here rather than by the browser, so the reason shows in the dialog's words.
        withAsterisk={required}
        aria-required={required}
        data-autofocus
        error={touched && missing ? t("review.sendBackRequired") : undefined}
      />
      <DialogFooter
        onCancel={onClose}
        loading={run.isPending}
        submitLabel={
          step === "submit" ? t("review.submit") : step === "approve" ? t("review.approve") : t("review.sendBack")
        }
      />
    </FormDialog>
  );
}

/** The review panel of an objective; nothing while reviews are off and it has no trail. */
export function ReviewPanel({ objective }: { objective: Objective }) {
  const review = useReview(objective.id);
  const [step, setStep] = useState<Step | null>(null);
  const r = review.data;
  if (!r || (!r.workflow && r.steps.length === 0)) return null;
  const isDraft = r.state === "draft" || r.state === "inReview" || r.state === "approved";
  const status =
    r.state === "inReview"
      ? t("review.waitingForReview")
      : r.state === "approved"
        ? t("review.readyToPublish")
        : r.state === "draft" && r.workflow
          ? t("review.notSubmitted")
          : null;
  return (
    <Card withBorder component="section" aria-labelledby={`review-${objective.id}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs">
            <Title order={3} size="h5" id={`review-${objective.id}`}>
              {t("review.title")}
            </Title>
            <Badge color={STATE_COLOR[r.state]} variant="light">
              {t(`review.states.${r.state}`)}
            </Badge>
          </Group>
          <Group gap="xs" wrap="wrap">
            {isDraft && r.workflow && r.state === "draft" && !r.canSubmit && r.blockers.length > 0 && (
              <DisabledWithReason size="xs" reason={t("review.blockedReason")}>
                {t("review.submit")}
              </DisabledWithReason>
            )}
            {r.canSubmit && (
              <Button size="xs" onClick={() => setStep("submit")}>
                {t("review.submit")}
              </Button>
            )}
            {r.canApprove && (
              <Button size="xs" color="teal" onClick={() => setStep("approve")}>
                {t("review.approve")}
              </Button>
            )}
            {r.canSendBack && (
              <Button size="xs" variant="default" onClick={() => setStep("sendBack")}>
                {t("review.sendBack")}
              </Button>
            )}
          </Group>
        </Group>
        {status && isDraft && (
          <Text size="sm" c="dimmed">
            {status}
          </Text>
        )}
        {isDraft && (
          <Text size="sm">
            <Text span fw={500}>
              {t("review.reviewers")}:
            </Text>{" "}
            {r.reviewers.length ? r.reviewers.map((p) => p.name).join(", ") : t("review.noReviewer")}
            {r.reviewersAreAdmins && r.reviewers.length > 0 && (
              <Text span size="xs" c="dimmed" display="block">
                {t("review.reviewersAdmins")}
              </Text>
            )}
          </Text>
        )}
        {r.blockers.length > 0 && r.workflow && (
          <Stack gap={4} role="alert">
            <Text size="sm" fw={500} c="red.8">
              {t("review.blocked")}
            </Text>
            <List spacing={4}>
              {r.blockers.map((f) => (
                <CoachFinding key={`${f.checkId}-${f.objectId}`} finding={f} withReason={false} />
              ))}
            </List>
          </Stack>
        )}
        {r.steps.length > 0 && (
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t("review.trail")}
            </Text>
            <List spacing={4} size="sm">
              {[...r.steps].reverse().map((s) => (
                <List.Item key={`${s.step}-${s.at}`}>
                  <Text size="sm" span>
                    {s.actorName ?? t("audit.system")} {t(`review.steps.${s.step}`)} · {dateTime(s.at)}
                  </Text>
                  {s.comment && (
                    <Text size="sm" c="dimmed" fs="italic">
                      “{s.comment}”
                    </Text>
                  )}
                </List.Item>
              ))}
            </List>
          </Stack>
        )}
      </Stack>
      {step && <ReviewStepDialog objective={objective} step={step} onClose={() => setStep(null)} />}
    </Card>
  );
}
