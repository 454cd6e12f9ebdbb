/** What changed since last week: progress moved up and down, status changes, new risks. */
import { Card, Group, SimpleGrid, Stack, Text, Title, VisuallyHidden } from "@mantine/core";
import { IconArrowDownRight, IconArrowUpRight } from "@tabler/icons-react";
import { StatusBadge } from "../../components/status-badge.js";
import { date, percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import type { Dashboard, DashboardChange, DashboardMover } from "./dashboard-data.js";
import { ItemSummary } from "./dashboard-item.js";

export function ChangesCard({ dashboard }: { dashboard: Dashboard }) {
  const { up, down, statusChanges, newRisks } = dashboard.changes;
  return (
    <Card withBorder component="section" aria-labelledby="changes-title">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5" id="changes-title">
          {t("dashboard.changed")}
        </Title>
        <Text size="xs" c="dimmed">
          {t("dashboard.changedSince", { date: date(dashboard.since) })}
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
        <Stack gap="xs">
          <Title order={4} size="h6">
            {t("dashboard.movedUp")} / {t("dashboard.movedDown")}
          </Title>
          {up.length + down.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t("dashboard.nothingMoved")}
            </Text>
          ) : (
            <>
              {up.map((m) => (
                <Mover key={m.id} mover={m} />
              ))}
              {down.map((m) => (
                <Mover key={m.id} mover={m} />
              ))}
            </>
          )}
        </Stack>
        <ChangeList
          title={t("dashboard.statusChanges")}
          empty={t("dashboard.noStatusChanges")}
          changes={statusChanges}
        />
        <ChangeList title={t("dashboard.newRisks")} empty={t("dashboard.noNewRisks")} changes={newRisks} />
      </SimpleGrid>
    </Card>
  );
}

function Mover({ mover }: { mover: DashboardMover }) {
  const rising = mover.delta > 0;
  const Icon = rising ? IconArrowUpRight : IconArrowDownRight;
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Icon
        size={18}
        color={rising ? "var(--mantine-color-teal-7)" : "var(--mantine-color-red-7)"}
        aria-label={rising ? t("dashboard.movedUp") : t("dashboard.movedDown")}
        role="img"
        style={{ flexShrink: 0, marginTop: 2 }}
      />
      <Stack gap={0} style={{ minWidth: 0 }}>
        <ItemSummary item={mover} withOwners={false} />
        <Text size="xs">{t("dashboard.movedBy", { before: percent(mover.before), after: percent(mover.after) })}</Text>
      </Stack>
    </Group>
  );
}

function ChangeList({ title, empty, changes }: { title: string; empty: string; changes: DashboardChange[] }) {
  return (
    <Stack gap="xs">
      <Title order={4} size="h6">
        {title}
      </Title>
      {changes.length === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        changes.map((c) => (
          <Stack key={`${c.type}:${c.id}`} gap={2}>
            <ItemSummary item={c} withOwners={false} />
            <VisuallyHidden>
              {t("dashboard.fromTo", { from: t(`status.${c.from}`), to: t(`status.${c.status}`) })}
            </VisuallyHidden>
            <Group gap={4} wrap="wrap" aria-hidden>
              <StatusBadge status={c.from} />
              <Text size="xs">→</Text>
              <StatusBadge status={c.status} />
            </Group>
          </Stack>
        ))
      )}
    </Stack>
  );
}
