/** Create a team (admins) or edit one (admins and the team's owners): name, parent, owners, members. */
import { Alert, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { Team } from "../../lib/types.js";
import { TeamChatFields } from "../chat/team-chat-fields.js";
import { PeopleMultiSelect, TeamSelect } from "../pickers/pickers.js";
import { type TeamCadence, TeamCadenceFields } from "./team-cadence-fields.js";

export function TeamDialog({
  team,
  opened,
  onClose,
  canMove,
}: DialogProps & {
  /** The team to edit; none to create one. */
  team?: Team;
  /** Whether the parent may change (admins only). */
  canMove: boolean;
}) {
  const queryClient = useQueryClient();
  const nameInput = useRef<HTMLInputElement>(null);
  const blank = {
    name: "",
    parentId: null as string | null,
    ownerIds: [] as string[],
    memberIds: [] as string[],
    cadence: null as TeamCadence,
    slackWebhookUrl: "",
    teamsWebhookUrl: "",
  };
  const [form, setForm] = useState(
    team
      ? {
          name: team.name,
          parentId: team.parentId,
          ownerIds: team.ownerIds,
          memberIds: team.memberIds,
          cadence: team.cadence,
          slackWebhookUrl: team.slackWebhookUrl ?? "",
          teamsWebhookUrl: team.teamsWebhookUrl ?? "",
        }
      : blank,
  );
  // Those who edit a team read its URLs in clear; empty means "follow the parent's channel".
  const chat = {
    slackWebhookUrl: form.slackWebhookUrl.trim() || null,
    teamsWebhookUrl: form.teamsWebhookUrl.trim() || null,
  };
  const chatChanged =
    !!team && (chat.slackWebhookUrl !== team.slackWebhookUrl || chat.teamsWebhookUrl !== team.teamsWebhookUrl);
  const save = useMutation({
    mutationFn: () =>
      team
        ? api("PATCH", `/teams/${team.id}`, {
            name: form.name.trim(),
            ownerIds: form.ownerIds,
            memberIds: form.memberIds,
            cadence: form.cadence,
            ...(canMove ? { parentId: form.parentId } : {}),
            ...chat,
          })
        : api("POST", "/teams", { ...form, ...chat, name: form.name.trim() }),
    onSuccess: async () => {
      await invalidateForChange(queryClient, { type: team ? "team.updated" : "team.created", objectType: "team" });
      if (!team) setForm(blank);
      onClose();
    },
    // A refused name is at the top of a long dialog: take the person there.
    onError: (err) => {
      const details = err instanceof ApiError && Array.isArray(err.details) ? (err.details as string[]) : [];
      const input = nameInput.current;
      if (!input || !details.some((d) => d.startsWith("name:"))) return;
      input.focus({ preventScroll: true });
      // Centred: scrolled to the top edge, the dialog's sticky title would cover it.
      input.scrollIntoView({ block: "center" });
    },
  });
  const details = save.error instanceof ApiError ? ((save.error.details as string[] | null) ?? []) : [];
  const fieldError = (f: string) =>
    details
      .find((d) => d.startsWith(`${f}:`))
      ?.slice(f.length + 1)
      .trim();
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={team ? t("teams.edit", { name: team.name }) : t("teams.create")}
      onSubmit={() => save.mutate()}
    >
      <TextInput
        ref={nameInput}
        label={t("teams.name")}
        value={form.name}
        onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
        error={fieldError("name")}
        required
        data-autofocus
      />
      <TeamSelect
        label={t("teams.parent")}
        value={form.parentId}
        onChange={(v) => setForm({ ...form, parentId: v })}
        disabled={!canMove}
        description={canMove ? undefined : t("teams.parentAdminsOnly")}
        error={fieldError("parentId")}
        clearable
      />
      <PeopleMultiSelect
        label={t("teams.owners")}
        description={t("teams.ownersHelp")}
        value={form.ownerIds}
        onChange={(v) => setForm({ ...form, ownerIds: v })}
        error={fieldError("ownerIds")}
      />
      <PeopleMultiSelect
        label={t("teams.members")}
        value={form.memberIds}
        onChange={(v) => setForm({ ...form, memberIds: v })}
        error={fieldError("memberIds")}
      />
      <TeamCadenceFields
        value={form.cadence}
        onChange={(cadence) => setForm({ ...form, cadence })}
        error={fieldError("cadence")}
      />
      <TeamChatFields
        slackWebhookUrl={form.slackWebhookUrl}
        teamsWebhookUrl={form.teamsWebhookUrl}
        onChange={(v) => setForm({ ...form, ...v })}
        errorOf={fieldError}
        testPath={team ? `/teams/${team.id}/chat-test` : null}
        unsaved={chatChanged}
      />
      {save.error && !details.length && (
        <Alert color="red" role="alert">
          {save.error.message}
        </Alert>
      )}
      <DialogFooter
        onCancel={onClose}
        submitLabel={team ? t("teams.save") : t("teams.createSubmit")}
        loading={save.isPending}
      />
    </FormDialog>
  );
}
