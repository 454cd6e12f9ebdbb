/**
 * Edit a key result or move it to the trash, from its page: offered to those who may (its
 * owners, whoever may edit its objective, admins). A member who may not sees a disabled Edit
 * with the reason; an observer sees none.
 */
import { Button, Group } from "@mantine/core";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { DisabledWithReason } from "../../components/disabled-reason.js";
import { t } from "../../lib/i18n.js";
import type { KeyResult, Objective } from "../../lib/types.js";
import { useObjectiveAccess } from "../objectives/objective-access.js";
import { KeyResultDeleteDialog } from "./key-result-delete-dialog.js";
import { KeyResultDialog } from "./key-result-dialog.js";

export function KeyResultActions({ kr, objective }: { kr: KeyResult; objective: Objective }) {
  const access = useObjectiveAccess(objective);
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  if (access.loading || !access.contributes || kr.closed) return null;
  if (!access.editsKeyResult(kr)) {
    return (
      <DisabledWithReason variant="default" size="sm" reason={t("okrEdit.noEditKrReason")}>
        {t("edit.open")}
      </DisabledWithReason>
    );
  }
  return (
    <Group gap="xs">
      <Button variant="default" size="sm" onClick={() => setEditing(true)}>
        {t("edit.open")}
      </Button>
      <Button variant="subtle" color="red" size="sm" onClick={() => setDeleting(true)}>
        {t("okrEdit.delete")}
      </Button>
      {editing && <KeyResultDialog opened kr={kr} onClose={() => setEditing(false)} />}
      <KeyResultDeleteDialog
        kr={deleting ? kr : null}
        onClose={() => setDeleting(false)}
        onDeleted={() =>
          void navigate({ to: "/objectives/$objectiveId", params: { objectiveId: objective.id }, replace: true })
        }
      />
    </Group>
  );
}
