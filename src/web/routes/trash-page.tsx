/**
 * The trash (owners and admins): what was deleted in the last 30 days, by whom and when it
 * is erased for good; each item can be restored (an objective with its key results,
 * initiatives and alignments) after a confirmation.
 */
import { TableFrame } from "../components/table-frame.js";
import "../lib/i18n-admin.js";
import { Badge, Button, Card, Group, Select, Stack, Table, Text, ThemeIcon, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconRestore, IconTrash } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { LoadMore } from "../components/load-more.js";
import { QueryState } from "../components/query-state.js";
import { TableHead } from "../components/table-head.js";
import { AdminsOnly } from "../features/admin/admins-only.js";
import { api, get } from "../lib/api.js";
import { date, dateTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { invalidatePrefixes } from "../lib/live.js";
import { keysForChange } from "../lib/live-keys.js";
import { keys, useInfiniteList } from "../lib/queries.js";
import type { Objective } from "../lib/types.js";

const TRASH_TYPES = ["objective", "keyResult", "checkIn", "initiative", "kpi", "team", "period"] as const;

type TrashItem = import("../lib/types.js").TrashItem;

type RestoreResult = import("../lib/types.js").TrashRestore;

const typeLabel = (type: string) => t(`admin.objectTypes.${type}`, { defaultValue: type });

/** "Restored “X” with 3 key results and 1 initiative; 1 alignment could not be restored (…)". */
function restoredMessage(item: TrashItem, r: RestoreResult, keyResults: number | null): string {
  const others = r.restored.filter((id) => id !== item.id).length;
  const parts = [t("admin.trash.restored", { title: item.title })];
  if (keyResults !== null) {
    const initiatives = others - keyResults;
    if (keyResults > 0) parts.push(t("admin.trash.withKeyResults", { count: keyResults }));
    if (initiatives > 0) {
      parts.push(
        t(keyResults > 0 ? "admin.trash.andInitiatives" : "admin.trash.withInitiatives", { count: initiatives }),
      );
    }
  } else if (others > 0) {
    parts.push(t("admin.trash.withItems", { count: others }));
  }
  let text = parts.join(" ");
  if (r.skippedAlignments > 0) text += `; ${t("admin.trash.skipped", { count: r.skippedAlignments })}`;
  return text;
}

function RestoreDialog({ item, onClose }: { item: TrashItem | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const restore = useMutation({
    mutationFn: async (it: TrashItem) => {
      const r = await api<RestoreResult>("POST", `/trash/${it.id}/restore`);
      // Which of what came back are key results (the rest are initiatives): the objective knows.
      let keyResults: number | null = null;
      if (it.type === "objective") {
        const o = await get<Objective>(`/objectives/${it.id}`).catch(() => null);
        if (o) {
          const ids = new Set(o.keyResults.map((k) => k.id));
          keyResults = r.restored.filter((id) => ids.has(id)).length;
        }
      }
      return { r, keyResults };
    },
    onSuccess: ({ r, keyResults }, it) => {
      notifications.show({
        color: r.skippedAlignments > 0 ? "yellow" : "teal",
        closeButtonProps: { "aria-label": t("common.close") },
        message: restoredMessage(it, r, keyResults),
        autoClose: r.skippedAlignments > 0 ? 12_000 : 6_000,
      });
      close();
      // What came back and everything it reaches (a restored objective brings its alignments back too).
      void invalidatePrefixes(queryClient, [
        ...(keysForChange({ type: `${it.type}.restored`, objectType: it.type }) ?? [[]]),
        ...(keysForChange({ type: "alignment.restored", objectType: "alignment" }) ?? []),
      ]);
    },
  });
  const close = () => {
    restore.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      subject={item}
      onClose={close}
      title={t("admin.trash.confirmTitle")}
      error={restore.error}
      errorTitle={t("admin.trash.failed")}
      confirmLabel={t("admin.trash.restore")}
      confirmIcon={<IconRestore size={16} />}
      loading={restore.isPending}
      onConfirm={(it) => restore.mutate(it)}
    >
      {(it) => (
        <>
          <Text fw={600}>{t("admin.trash.confirm", { title: it.title })}</Text>
          <Text size="sm">
            {it.type === "objective" ? t("admin.trash.confirmObjective") : t("admin.trash.confirmChild")}
          </Text>
        </>
      )}
    </ConfirmDialog>
  );
}

function EmptyTrash() {
  return (
    <Card withBorder py="xl">
      <Stack align="center" gap="xs" maw={560} mx="auto" ta="center">
        <ThemeIcon variant="light" color="gray" size="xl" radius="xl" aria-hidden>
          <IconTrash size={22} />
        </ThemeIcon>
        <Text fw={600}>{t("admin.trash.empty")}</Text>
        <Text size="sm" c="dimmed">
          {t("admin.trash.emptyHint")}
        </Text>
      </Stack>
    </Card>
  );
}

function Trash() {
  const search = useSearch({ strict: false }) as Record<string, unknown>;
  const navigate = useNavigate();
  const type = TRASH_TYPES.find((x) => x === search.type);
  const trash = useInfiniteList<TrashItem>([...keys.trash, type ?? ""], "/trash", { type });
  const [target, setTarget] = useState<TrashItem | null>(null);
  return (
    <Stack>
      <div>
        <Title order={2}>{t("admin.trash.title")}</Title>
        <Text size="sm" c="dimmed" maw={820}>
          {t("admin.trash.intro")}
        </Text>
      </div>
      <Group>
        <Select
          label={t("admin.trash.type")}
          placeholder={t("admin.trash.anyType")}
          data={TRASH_TYPES.map((v) => ({ value: v, label: typeLabel(v) }))}
          value={type ?? null}
          onChange={(v) =>
            void navigate({
              to: "/admin/trash",
              search: (prev: Record<string, unknown>) => ({ ...prev, type: v ?? undefined }),
              replace: true,
            } as never)
          }
          clearable
          w={200}
        />
      </Group>
      <QueryState query={trash.query}>
        {() =>
          trash.items.length === 0 ? (
            <EmptyTrash />
          ) : (
            <>
              <TableFrame minWidth={760}>
                <Table verticalSpacing="sm" aria-label={t("admin.trash.caption")}>
                  <TableHead
                    columns={[
                      { label: t("admin.trash.type"), w: 130 },
                      t("admin.trash.item"),
                      { label: t("admin.trash.deleted"), w: 220 },
                      { label: t("admin.trash.purge"), w: 160 },
                    ]}
                    actions={{ label: t("admin.actions"), w: 130 }}
                  />
                  <Table.Tbody>
                    {trash.items.map((item) => (
                      <Table.Tr key={item.id}>
                        <Table.Td>
                          <Badge variant="light" color="gray" radius="sm" style={{ textTransform: "none" }}>
                            {typeLabel(item.type)}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" fw={500}>
                            {item.title}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{dateTime(item.deletedAt)}</Text>
                          {item.deletedBy && (
                            <Text size="xs" c="dimmed">
                              {t("admin.trash.deletedBy", { name: item.deletedBy.name })}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" title={t("admin.trash.purgeHint", { date: dateTime(item.purgeAt) })}>
                            {date(item.purgeAt)}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Button
                            size="xs"
                            variant="light"
                            leftSection={<IconRestore size={14} />}
                            onClick={() => setTarget(item)}
                            aria-label={t("admin.trash.restoreLabel", { title: item.title })}
                          >
                            {t("admin.trash.restore")}
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </TableFrame>
              <LoadMore hasMore={trash.hasMore} loading={trash.loadingMore} onLoad={trash.loadMore} />
            </>
          )
        }
      </QueryState>
      <RestoreDialog item={target} onClose={() => setTarget(null)} />
    </Stack>
  );
}

export function TrashPage() {
  return (
    <AdminsOnly title={t("admin.trash.title")}>
      <Trash />
    </AdminsOnly>
  );
}
