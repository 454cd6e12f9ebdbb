import { Button, Group, Modal, type ModalProps, Stack, Text } from "@mantine/core";
import { type ReactNode, useState } from "react";
import { t } from "../lib/i18n.js";

/** What every dialog is told by the page that opens it: whether it is open, and how to close it. */
export interface DialogProps {
  opened: boolean;
  onClose: () => void;
}

/**
 * What a form dialog asks before it is closed by the way (Escape, ×, a click outside) while
 * something has been filled in: `question` ("Discard this objective?"). Its own Cancel button
 * closes it at once: that is on purpose.
 */
export interface DiscardGuard {
  dirty: boolean;
  question: string;
}

/**
 * A dialog that is one form: submitting it (the submit button or Enter) calls `onSubmit`, never a page load.
 * With `discard`, a filled-in form is not thrown away without asking. Put `data-autofocus` on the
 * first field, so typing starts there and not on the × button.
 */
export function FormDialog({
  opened,
  onClose,
  title,
  size,
  onSubmit,
  discard,
  children,
}: DialogProps & {
  title: ReactNode;
  size?: ModalProps["size"];
  onSubmit: () => void;
  discard?: DiscardGuard;
  children: ReactNode;
}) {
  const [asking, setAsking] = useState(false);
  const requestClose = () => {
    if (discard?.dirty) setAsking(true);
    else onClose();
  };
  // One stack: Escape and the focus trap belong to the question while it is open, and the
  // Escape that asked it does not also answer it.
  return (
    <Modal.Stack>
      <Modal
        stackId="form"
        opened={opened}
        onClose={requestClose}
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
      <Modal
        stackId="discard"
        opened={opened && asking}
        onClose={() => setAsking(false)}
        title={discard?.question}
        closeButtonProps={{ "aria-label": t("common.close") }}
        centered
        size="sm"
      >
        <Stack>
          <Text size="sm">{t("form.discardBody")}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setAsking(false)} data-autofocus>
              {t("form.keepEditing")}
            </Button>
            <Button
              color="red"
              onClick={() => {
                setAsking(false);
                onClose();
              }}
            >
              {t("form.discard")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Modal.Stack>
  );
}
