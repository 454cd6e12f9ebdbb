/** Asks before moving a key result to the trash, and says who can bring it back. */
import { Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "../../components/confirm-dialog.js";
import { api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { KeyResult } from "../../lib/types.js";

export function KeyResultDeleteDialog({
  kr,
  onClose,
  onDeleted,
}: {
  kr: KeyResult | null;
  onClose: () => void;
  onDeleted?: (kr: KeyResult) => void;
}) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (k: KeyResult) => api("DELETE", `/key-results/${k.id}`),
    onSuccess: (_r, k) => {
      notifications.show({ color: "teal", message: t("okrEdit.deleted", { title: k.title }) });
      void invalidateForChange(queryClient, { type: "keyResult.deleted", objectType: "keyResult" });
      close();
      onDeleted?.(k);
    },
  });
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      subject={kr}
      onClose={close}
      title={t("okrEdit.deleteKrTitle")}
      error={remove.error}
      errorTitle={t("okrEdit.failed")}
      confirmLabel={t("okrEdit.delete")}
      confirmColor="red"
      confirmIcon={<IconTrash size={16} />}
      loading={remove.isPending}
      onConfirm={(k) => remove.mutate(k)}
    >
      {(k) => (
        <>
          <Text>{t("okrEdit.deleteKr", { title: k.title })}</Text>
          <Text size="sm" c="dimmed">
            {t("okrEdit.restoreNote")}
          </Text>
        </>
      )}
    </ConfirmDialog>
  );
}
