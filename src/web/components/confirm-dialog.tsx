import { Alert, Button, Group, Modal, Stack } from "@mantine/core";
import type { ReactNode } from "react";
import { t } from "../lib/i18n.js";

/**
 * Asks before acting on `subject` (a token to revoke, an item to restore) and is open while
 * `subject` is set: the question, why the action failed if it did, then Cancel and the action.
 */
export function ConfirmDialog<T>({
  subject,
  onClose,
  title,
  children,
  error,
  errorTitle,
  confirmLabel,
  confirmColor,
  confirmIcon,
  loading,
  onConfirm,
}: {
  subject: T | null;
  onClose: () => void;
  title: string;
  /** The question, about the subject. */
  children: (subject: T) => ReactNode;
  error: Error | null;
  errorTitle?: string;
  confirmLabel: string;
  confirmColor?: string;
  confirmIcon?: ReactNode;
  loading: boolean;
  onConfirm: (subject: T) => void;
}) {
  return (
    <Modal
      opened={subject !== null}
      onClose={onClose}
      title={title}
      closeButtonProps={{ "aria-label": t("common.close") }}
      centered
    >
      {subject !== null && (
        <Stack>
          {children(subject)}
          {error && (
            <Alert color="red" title={errorTitle} role="alert">
              {error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button color={confirmColor} leftSection={confirmIcon} loading={loading} onClick={() => onConfirm(subject)}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
