/**
 * Admin actions on people: invite someone, edit a person's details, change a role, deactivate or
 * reactivate, resend an invitation.
 */
import { ActionIcon, Alert, Button, Group, Menu, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDots } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CopyableCode } from "../../components/copyable-code.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import { useSettings } from "../../lib/queries.js";
import type { Me, User } from "../../lib/types.js";
import { PersonSelect, TeamMultiSelect } from "../pickers/pickers.js";
import { PersonEditDialog } from "./person-edit-dialog.js";

type Invitation = import("../../lib/types.js").Invitation;

const ROLE_OPTIONS = (canGrantOwner: boolean) =>
  (["observer", "member", "admin", ...(canGrantOwner ? ["owner"] : [])] as const).map((r) => ({
    value: r,
    label: t(`roles.${r}`),
  }));

/** What became of an invitation: sent by email, or a link to pass on when the server sends no mail. */
export function InvitationNotice({ invitation }: { invitation: Invitation }) {
  if (invitation.sent) {
    return (
      <Alert color="teal" role="status">
        {t("invite.sent", { email: invitation.email })}
      </Alert>
    );
  }
  return (
    <Alert color="yellow" role="status" title={t("invite.linkTitle")}>
      <Stack gap="xs">
        <Text size="sm">{invitation.error ?? t("invite.noMail", { email: invitation.email })}</Text>
        {invitation.url && <CopyableCode value={invitation.url} testId="invitation-link" />}
      </Stack>
    </Alert>
  );
}

export function InvitePersonDialog({
  opened,
  onClose,
  canGrantOwner,
}: {
  opened: boolean;
  onClose: () => void;
  canGrantOwner: boolean;
}) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: "", email: "", role: "member", managerId: "", teamIds: [] as string[] });
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const mailConfigured = useSettings().data?.mailConfigured;
  const invite = useMutation({
    mutationFn: () =>
      api<User & { invitation?: Invitation }>("POST", "/users", {
        name: form.name.trim(),
        email: form.email.trim(),
        role: form.role,
        managerId: form.managerId || null,
        teamIds: form.teamIds,
      }),
    onSuccess: async (u) => {
      setInvitation(u.invitation ?? null);
      await invalidateForChange(queryClient, { type: "user.created", objectType: "user" });
    },
  });
  const details = invite.error instanceof ApiError ? ((invite.error.details as string[] | null) ?? []) : [];
  const fieldError = (f: string) =>
    details
      .find((d) => d.startsWith(`${f}:`))
      ?.slice(f.length + 1)
      .trim();
  const close = () => {
    setInvitation(null);
    setForm({ name: "", email: "", role: "member", managerId: "", teamIds: [] });
    invite.reset();
    onClose();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={t("invite.title")}
      size="lg"
      closeButtonProps={{ "aria-label": t("common.close") }}
    >
      {invitation ? (
        <Stack>
          <InvitationNotice invitation={invitation} />
          <Group justify="flex-end">
            <Button onClick={close}>{t("invite.done")}</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            invite.mutate();
          }}
        >
          <Stack>
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
              error={fieldError("email")}
              required
            />
            <Select
              label={t("people.role")}
              data={ROLE_OPTIONS(canGrantOwner)}
              value={form.role}
              onChange={(v) => setForm({ ...form, role: v ?? "member" })}
              allowDeselect={false}
            />
            <PersonSelect
              label={t("people.manager")}
              value={form.managerId || null}
              onChange={(v) => setForm({ ...form, managerId: v ?? "" })}
              clearable
            />
            <TeamMultiSelect
              label={t("people.teams")}
              value={form.teamIds}
              onChange={(v) => setForm({ ...form, teamIds: v })}
            />
            {invite.error && !details.length && (
              <Alert color="red" role="alert">
                {invite.error.message}
              </Alert>
            )}
            <Text size="xs" c="dimmed">
              {t(
                mailConfigured === undefined
                  ? "invite.explainUnknown"
                  : mailConfigured
                    ? "invite.explain"
                    : "invite.explainNoMail",
              )}
            </Text>
            <DialogFooter onCancel={close} submitLabel={t("invite.submit")} loading={invite.isPending} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}

/**
 * The ⋯ menu of one person's row: edit their details (any person: admins change names and
 * managers of anyone), and, for people `canManage` says the admin outranks (or themselves),
 * change role, deactivate or reactivate, send a new invitation.
 */
export function PersonActions({
  user,
  me,
  canManage,
  canGrantOwner,
}: {
  user: User;
  me: Me;
  canManage: boolean;
  canGrantOwner: boolean;
}) {
  const queryClient = useQueryClient();
  const [editOpen, setEditOpen] = useState(false);
  const [roleOpen, setRoleOpen] = useState(false);
  const [role, setRole] = useState<string>(user.role);
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const done = async (message: string) => {
    await invalidateForChange(queryClient, { type: "user.updated", objectType: "user" });
    notifications.show({ message, color: "teal" });
  };
  const fail = (err: Error) => notifications.show({ title: t("common.error"), message: err.message, color: "red" });
  const patch = useMutation({
    mutationFn: (body: Record<string, unknown>) => api("PATCH", `/users/${user.id}`, body),
    onError: fail,
  });
  const reinvite = useMutation({
    mutationFn: () => api<Invitation>("POST", `/users/${user.id}/invite`),
    onSuccess: (r) => setInvitation(r),
    onError: fail,
  });
  const self = user.id === me.user.id;
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon variant="subtle" aria-label={t("people.actionsFor", { name: user.name })}>
            <IconDots size={18} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => setEditOpen(true)}>{t("people.editDetails")}</Menu.Item>
          {canManage && <Menu.Item onClick={() => setRoleOpen(true)}>{t("people.changeRole")}</Menu.Item>}
          {canManage && user.active && <Menu.Item onClick={() => reinvite.mutate()}>{t("people.reinvite")}</Menu.Item>}
          {canManage &&
            !self &&
            (user.active ? (
              <Menu.Item
                color="red"
                onClick={() =>
                  patch.mutate(
                    { active: false },
                    { onSuccess: () => done(t("people.deactivated", { name: user.name })) },
                  )
                }
              >
                {t("people.deactivate")}
              </Menu.Item>
            ) : (
              <Menu.Item
                onClick={() =>
                  patch.mutate(
                    { active: true },
                    { onSuccess: () => done(t("people.reactivated", { name: user.name })) },
                  )
                }
              >
                {t("people.reactivate")}
              </Menu.Item>
            ))}
        </Menu.Dropdown>
      </Menu>
      {editOpen && <PersonEditDialog user={user} me={me} opened onClose={() => setEditOpen(false)} />}
      <Modal
        opened={roleOpen}
        onClose={() => setRoleOpen(false)}
        title={t("people.roleOf", { name: user.name })}
        closeButtonProps={{ "aria-label": t("common.close") }}
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            patch.mutate(
              { role },
              {
                onSuccess: async () => {
                  setRoleOpen(false);
                  await done(t("people.roleChanged", { name: user.name, role: t(`roles.${role}`) }));
                },
              },
            );
          }}
        >
          <Stack>
            <Select
              label={t("people.role")}
              data={ROLE_OPTIONS(canGrantOwner || user.role === "owner")}
              value={role}
              onChange={(v) => setRole(v ?? user.role)}
              allowDeselect={false}
            />
            <Text size="xs" c="dimmed">
              {t("people.rolesExplain")}
            </Text>
            <DialogFooter
              onCancel={() => setRoleOpen(false)}
              submitLabel={t("people.saveRole")}
              loading={patch.isPending}
            />
          </Stack>
        </form>
      </Modal>
      <Modal
        opened={invitation !== null}
        onClose={() => setInvitation(null)}
        title={t("invite.title")}
        closeButtonProps={{ "aria-label": t("common.close") }}
      >
        {invitation && <InvitationNotice invitation={invitation} />}
      </Modal>
    </>
  );
}
