import { Button, Card, Group, Modal, Stack, Table, Text, Title, Tooltip } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import type { UseQueryResult } from "@tanstack/react-query";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ConfirmDialog } from "../../components/confirm-dialog.js";
import { OwnerText } from "../../components/owner-names.js";
import { QueryState } from "../../components/query-state.js";
import { StatusBadge } from "../../components/status-badge.js";
import { PHONE_QUERY } from "../../components/table-frame.js";
import { TableHead } from "../../components/table-head.js";
import { api } from "../../lib/api.js";
import { dateTime, value } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import { mayChangeCheckIn } from "../../lib/permissions.js";
import { useMe } from "../../lib/queries.js";
import type { CheckIn, KeyResult, Page } from "../../lib/types.js";
import { CommentsPanel } from "../comments/comments-panel.js";
import { useLocationHash } from "../comments/use-location-hash.js";
import { CheckInEditDialog } from "./check-in-edit-dialog.js";

/**
 * A key result's check-ins, newest first: a table on wide screens, a list of cards on a phone
 * (a seven-column table at 390 px squeezes every cell to a word). The author (or an admin) may
 * edit or delete a check-in while the key result is open; observers only read.
 */
export function CheckInHistory({ kr, checkIns }: { kr: KeyResult; checkIns: UseQueryResult<Page<CheckIn>> }) {
  const phone = useMediaQuery(PHONE_QUERY);
  const me = useMe();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<CheckIn | null>(null);
  const [deleting, setDeleting] = useState<CheckIn | null>(null);
  // A check-in's comments open in a dialog; a link to #check-in-<id> (a notice's) opens it.
  const [thread, setThread] = useState<CheckIn | null>(null);
  const items = checkIns.data?.items;
  const hash = useLocationHash();
  useEffect(() => {
    const m = /^#check-in-([0-9a-f-]{36})$/.exec(hash);
    const found = m && items?.find((c) => c.id === m[1]);
    if (found) setThread(found);
  }, [items, hash]);
  const remove = useMutation({
    mutationFn: (c: CheckIn) => api("DELETE", `/check-ins/${c.id}`),
    onSuccess: () => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("edit.checkInDeleted"),
      });
      setDeleting(null);
    },
    onSettled: () => void invalidateForChange(queryClient, { type: "checkIn.deleted", objectType: "checkIn" }),
  });
  const shown = (c: CheckIn) => (kr.type === "milestone" ? (c.achieved ? "✓" : "—") : value(kr, c.value));
  const actions = (c: CheckIn) => (
    <Group gap={4} wrap="nowrap">
      <Button
        size="compact-xs"
        variant="subtle"
        onClick={() => setThread(c)}
        aria-label={t("comments.checkInCommentsLabel", { at: dateTime(c.at) })}
      >
        {t("comments.checkInComments")}
      </Button>
      {mayChangeCheckIn(me.data, c) && !kr.closed && (
        <>
          <Button
            size="compact-xs"
            variant="subtle"
            onClick={() => setEditing(c)}
            aria-label={`${t("edit.editCheckIn")}: ${dateTime(c.at)}`}
          >
            {t("edit.open")}
          </Button>
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            onClick={() => {
              remove.reset();
              setDeleting(c);
            }}
            aria-label={`${t("edit.deleteCheckIn")}: ${dateTime(c.at)}`}
          >
            {t("edit.delete")}
          </Button>
        </>
      )}
    </Group>
  );
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="sm">
        {t("keyResult.checkIns")}
      </Title>
      <QueryState query={checkIns} isEmpty={(d) => d.items.length === 0} empty={t("keyResult.noCheckIns")}>
        {(d) =>
          phone ? (
            <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {d.items.map((c) => (
                <Card key={c.id} component="li" withBorder padding="xs" radius="sm">
                  <Group justify="space-between" gap="xs" wrap="wrap">
                    <Text size="sm" fw={600}>
                      {shown(c)}
                    </Text>
                    {c.status ? <StatusBadge status={c.status} /> : <AutomaticStatus />}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {dateTime(c.at)} · <OwnerText ids={c.authorId ? [c.authorId] : []} />
                    {c.confidence !== null && c.confidence !== undefined
                      ? ` · ${t("checkIn.confidence")}: ${c.confidence}`
                      : ""}
                  </Text>
                  {c.note && (
                    <Text size="sm" style={{ overflowWrap: "anywhere" }}>
                      {c.note}
                    </Text>
                  )}
                  {actions(c)}
                </Card>
              ))}
            </Stack>
          ) : (
            <Table striped highlightOnHover>
              <TableHead
                columns={[
                  t("keyResult.date"),
                  t("keyResult.value"),
                  t("common.status"),
                  t("checkIn.confidence"),
                  t("checkIn.note"),
                  t("keyResult.author"),
                ]}
                actions={t("periodClose.actions")}
              />
              <Table.Tbody>
                {d.items.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>{dateTime(c.at)}</Table.Td>
                    <Table.Td>{shown(c)}</Table.Td>
                    <Table.Td>{c.status ? <StatusBadge status={c.status} /> : <AutomaticStatus />}</Table.Td>
                    <Table.Td>{c.confidence ?? ""}</Table.Td>
                    <Table.Td>{c.note}</Table.Td>
                    <Table.Td>
                      <OwnerText ids={c.authorId ? [c.authorId] : []} />
                    </Table.Td>
                    <Table.Td>{actions(c)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
      <ConfirmDialog
        subject={deleting}
        onClose={() => setDeleting(null)}
        title={t("edit.deleteCheckIn")}
        error={remove.error}
        errorTitle={t("edit.deleteCheckInRefused")}
        confirmLabel={t("edit.delete")}
        confirmColor="red"
        loading={remove.isPending}
        onConfirm={(c) => remove.mutate(c)}
      >
        {(c) => <Text size="sm">{t("edit.deleteCheckInQuestion", { at: dateTime(c.at), value: shown(c) })}</Text>}
      </ConfirmDialog>
      {editing && <CheckInEditDialog kr={kr} checkIn={editing} opened onClose={() => setEditing(null)} />}
      {thread && (
        <Modal
          opened
          onClose={() => setThread(null)}
          title={t("comments.checkInThread", { at: dateTime(thread.at) })}
          size="lg"
        >
          <CommentsPanel objectType="checkIn" objectId={thread.id} title="" bare />
        </Modal>
      )}
    </Card>
  );
}

/** The status of a check-in saved without one set by hand: computed, so said in words. */
function AutomaticStatus() {
  return (
    <Tooltip label={t("checkIn.statusAutoHelp")} multiline w={260} events={{ hover: true, focus: true, touch: true }}>
      <Text size="xs" c="dimmed" span tabIndex={0}>
        {t("checkIn.statusAuto")}
      </Text>
    </Tooltip>
  );
}
