/** Asks before moving an objective (with its key results) to the trash, and says who can bring it back. */
import { Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { ConfirmDialog } from "../../components/confirm-dialog.js";
import { api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { Objective } from "../../lib/types.js";

export function ObjectiveDeleteDialog({ objective, onClose }: { objective: Objective | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: (o: Objective) => api("DELETE", `/objectives/${o.id}`),
    onSuccess: async (_r, o) => {
      notifications.show({ color: "teal", message: t("okrEdit.deleted", { title: o.title }) });
      close();
      await navigate({ to: "/" });
      void invalidateForChange(queryClient, { type: "objective.deleted", objectType: "objective" });
    },
  });
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      subject={objective}
      onClose={close}
      title={t("okrEdit.deleteObjectiveTitle")}
      error={remove.error}
      errorTitle={t("okrEdit.failed")}
      confirmLabel={t("okrEdit.delete")}
      confirmColor="red"
      confirmIcon={<IconTrash size={16} />}
      loading={remove.isPending}
      onConfirm={(o) => remove.mutate(o)}
    >
      {(o) => (
        <>
          <Text>{t("okrEdit.deleteObjective", { title: o.title, count: o.keyResults.length })}</Text>
          <Text size="sm" c="dimmed">
            {t("okrEdit.restoreNote")}
          </Text>
        </>
      )}
    </ConfirmDialog>
  );
}
