/**
 * Periods: the year, its quarters and custom time boxes. Everyone reads the list; owners and
 * admins create a year with its quarters or a custom period, change names and dates, delete
 * an empty period, and go to review and close one.
 */

import { Alert, Badge, Button, Card, Group, Stack, Table, Text, Title } from "@mantine/core";
import { IconCalendarPlus, IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { AppLink } from "../components/app-link.js";
import { DisabledWithReason } from "../components/disabled-reason.js";
import { QueryState } from "../components/query-state.js";
import { TableFrame } from "../components/table-frame.js";
import { day, PeriodDeleteDialog, PeriodDialog, YearDialog } from "../features/periods/period-dialogs.js";
import { t } from "../lib/i18n.js";
import "../lib/i18n-periods.js";
import { mayAdminister } from "../lib/permissions.js";
import { useMe, usePeriodObjectiveCounts, usePeriods } from "../lib/queries.js";
import type { Period } from "../lib/types.js";

/** Years first, each followed by what it holds; periods outside any year after, by start date. */
function nested(periods: Period[]): { period: Period; depth: number }[] {
  const ids = new Set(periods.map((p) => p.id));
  const byParent = new Map<string | null, Period[]>();
  for (const p of periods) {
    const parent = p.parentId && ids.has(p.parentId) ? p.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), p]);
  }
  const out: { period: Period; depth: number }[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const p of byParent.get(parent) ?? []) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      out.push({ period: p, depth });
      walk(p.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/**
 * Why the period cannot be deleted (the objectives or periods it holds, and what to do), or null
 * when it may be. The server refuses the same; an unknown count leaves Delete to it.
 */
function deleteBlocker(p: Period, all: Period[], held: number | undefined): string | null {
  if (held) return t("periods.deleteHeld", { name: p.name, count: held });
  const parts = all.filter((c) => c.parentId === p.id).map((c) => c.name);
  if (parts.length) return t("periods.deleteHasParts", { name: p.name, parts: parts.join(", ") });
  return null;
}

/** Delete for one period: disabled, with the reason, while it holds objectives or periods. */
function PeriodDeleteButton({
  period,
  blocker,
  onDelete,
}: {
  period: Period;
  blocker: string | null;
  onDelete: () => void;
}) {
  const props = {
    size: "xs",
    variant: "subtle",
    color: "red",
    leftSection: <IconTrash size={14} aria-hidden />,
    "aria-label": t("periods.deleteLabel", { name: period.name }),
  } as const;
  return blocker ? (
    <DisabledWithReason reason={blocker} {...props}>
      {t("periods.delete")}
    </DisabledWithReason>
  ) : (
    <Button {...props} onClick={onDelete}>
      {t("periods.delete")}
    </Button>
  );
}

export function PeriodsPage() {
  const periods = usePeriods();
  const me = useMe();
  const isAdmin = mayAdminister(me.data) && me.data?.access === "write";
  const [yearOpen, setYearOpen] = useState(false);
  const [customOpen, setCustomOpen] = useState(false);
  const [editing, setEditing] = useState<Period | null>(null);
  const [deleting, setDeleting] = useState<Period | null>(null);
  const all = periods.data?.items ?? [];
  const names = new Map(all.map((p) => [p.id, p.name]));
  const held = usePeriodObjectiveCounts(
    all.map((p) => p.id),
    isAdmin,
  );
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={2}>{t("periods.title")}</Title>
          <Text c="dimmed" size="sm" maw={720}>
            {t("periods.intro")}
          </Text>
        </Stack>
        {isAdmin && (
          <Group gap="xs">
            <Button leftSection={<IconCalendarPlus size={16} aria-hidden />} onClick={() => setYearOpen(true)}>
              {t("periods.addYear")}
            </Button>
            <Button
              variant="default"
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setCustomOpen(true)}
            >
              {t("periods.addCustom")}
            </Button>
          </Group>
        )}
      </Group>
      {!isAdmin && me.data && (
        <Alert color="gray" variant="light">
          {t("periods.readOnly")}
        </Alert>
      )}
      <Card withBorder>
        <QueryState query={periods} isEmpty={(d) => d.items.length === 0} empty={t("periods.none")}>
          {(d) => (
            <TableFrame minWidth={isAdmin ? 760 : 520}>
              <Table verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("periods.name")}</Table.Th>
                    <Table.Th>{t("periods.kind")}</Table.Th>
                    <Table.Th>{t("periods.dates")}</Table.Th>
                    <Table.Th>{t("periods.state")}</Table.Th>
                    {isAdmin && <Table.Th data-no-label>{t("periods.actions")}</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {nested(d.items).map(({ period: p, depth }) => (
                    <Table.Tr key={p.id}>
                      <Table.Td pl={depth ? `calc(var(--mantine-spacing-sm) + ${depth * 20}px)` : undefined}>
                        <Text size="sm" fw={depth ? 400 : 600}>
                          {p.name}
                        </Text>
                        {p.parentId && names.has(p.parentId) && (
                          <Text size="xs" c="dimmed">
                            {t("periods.partOf")}: {names.get(p.parentId)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{t(`periods.kinds.${p.kind}`)}</Table.Td>
                      <Table.Td>
                        <Text size="sm">
                          {day(p.startDate)} – {day(p.endDate)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={p.closedAt ? "gray" : "teal"}>
                          {p.closedAt ? t("periods.closed") : t("periods.open")}
                        </Badge>
                      </Table.Td>
                      {isAdmin && (
                        <Table.Td>
                          <Group gap="xs" wrap="nowrap">
                            <Button
                              size="xs"
                              variant="light"
                              leftSection={<IconPencil size={14} aria-hidden />}
                              aria-label={t("periods.editLabel", { name: p.name })}
                              onClick={() => setEditing(p)}
                            >
                              {t("periods.edit")}
                            </Button>
                            <PeriodDeleteButton
                              period={p}
                              blocker={deleteBlocker(p, all, held.get(p.id))}
                              onDelete={() => setDeleting(p)}
                            />
                            <AppLink
                              to="/close"
                              search={{ period: p.id }}
                              size="sm"
                              aria-label={t(p.closedAt ? "periods.reviewLinkLabel" : "periods.closeLinkLabel", {
                                name: p.name,
                              })}
                            >
                              {t(p.closedAt ? "periods.reviewLink" : "periods.closeLink")}
                            </AppLink>
                          </Group>
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableFrame>
          )}
        </QueryState>
      </Card>
      {isAdmin && (
        <>
          <YearDialog opened={yearOpen} onClose={() => setYearOpen(false)} />
          <PeriodDialog opened={customOpen} onClose={() => setCustomOpen(false)} periods={all} />
          {editing && (
            <PeriodDialog key={editing.id} opened period={editing} periods={all} onClose={() => setEditing(null)} />
          )}
          <PeriodDeleteDialog period={deleting} onClose={() => setDeleting(null)} />
        </>
      )}
    </Stack>
  );
}
