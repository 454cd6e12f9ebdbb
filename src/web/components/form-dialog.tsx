import { Modal, type ModalProps, Stack } from "@mantine/core";
import type { ReactNode } from "react";
import { t } from "../lib/i18n.js";

/** What every dialog is told by the page that opens it: whether it is open, and how to close it. */
export interface DialogProps {
  opened: boolean;
  onClose: () => void;
}

/** A dialog that is one form: submitting it (the submit button or Enter) calls `onSubmit`, never a page load. */
export function FormDialog({
  opened,
  onClose,
  title,
  size,
  onSubmit,
  children,
}: DialogProps & {
  title: ReactNode;
  size?: ModalProps["size"];
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={title}
      size={size}
      closeButtonProps={{ "aria-label": t("common.close") }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <Stack>{children}</Stack>
      </form>
    </Modal>
  );
}
