/**
 * An admin changes a person's name, email and manager. The server's rule for people
 * (`personChangeDenial`) decides which fields are offered: an email only of someone the admin
 * outranks (or themselves); the field the rule keeps closed is shown disabled with its reason.
 */
import { Alert, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { personChangeDenial } from "../../../domain/access.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { Me, User } from "../../lib/types.js";
import { PersonSelect } from "../pickers/pickers.js";

export function PersonEditDialog({ user, me, opened, onClose }: DialogProps & { user: User; me: Me }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: user.name, email: user.email, managerId: user.managerId });
  // The people list does not say who runs the server: the server refuses that one case itself.
  const emailDenial = personChangeDenial(
    { userId: me.user.id, role: me.role, isInstanceAdmin: me.isInstanceAdmin },
    { id: user.id, role: user.role, isInstanceAdmin: false },
    { email: true },
  );
  const save = useMutation({
    mutationFn: () => {
      const email = form.email.trim();
      return api<User>("PATCH", `/users/${user.id}`, {
        version: user.version,
        name: form.name.trim(),
        managerId: form.managerId,
        ...(email.toLowerCase() !== user.email.toLowerCase() ? { email } : {}),
      });
    },
    onSuccess: async (u) => {
      await invalidateForChange(queryClient, { type: "user.updated", objectType: "user" });
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("people.detailsSaved", { name: u.name }),
      });
      onClose();
    },
  });
  const details = save.error instanceof ApiError ? ((save.error.details as string[] | null) ?? []) : [];
  const fieldError = (f: string) =>
    details
      .find((d) => d.startsWith(`${f}:`))
      ?.slice(f.length + 1)
      .trim();
  const emailChanged = form.email.trim().toLowerCase() !== user.email.toLowerCase();
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={t("people.detailsOf", { name: user.name })}
      discard={{
        dirty: form.name !== user.name || form.email !== user.email || form.managerId !== user.managerId,
        question: t("okrEdit.discardTitle"),
      }}
      onSubmit={() => save.mutate()}
    >
      <TextInput
        label={t("people.name")}
        value={form.name}
        onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
        error={fieldError("name")}
        required
        data-autofocus
      />
      <TextInput
        label={t("people.email")}
        type="email"
        value={form.email}
        onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
        disabled={emailDenial !== null}
        description={emailDenial ?? (emailChanged ? t("people.emailChangeHelp") : undefined)}
        error={fieldError("email")}
        required
      />
      <PersonSelect
        label={t("people.manager")}
        description={t("people.managerHelp")}
        placeholder={t("people.noManager")}
        value={form.managerId}
        onChange={(v) => setForm({ ...form, managerId: v })}
        error={fieldError("managerId")}
        clearable
      />
      {save.error && !details.length && (
        <Alert color="red" role="alert">
          {save.error.message}
        </Alert>
      )}
      <DialogFooter
        onCancel={onClose}
        submitLabel={t("people.saveDetails")}
        loading={save.isPending}
        disabled={!form.name.trim() || !form.email.trim()}
      />
    </FormDialog>
  );
}
