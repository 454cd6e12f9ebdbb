/**
 * KPIs: health metrics with their healthy range, latest value and a small chart of their
 * values. Members create them; a KPI's owners and admins change it, record its values and
 * delete it.
 */
import { Sparkline } from "@mantine/charts";
import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { AppLink } from "../components/app-link.js";
import { LoadMore } from "../components/load-more.js";
import { QueryState } from "../components/query-state.js";
import { type Kpi, KpiDeleteDialog, KpiDialog, KpiValueDialog } from "../features/kpis/kpi-dialogs.js";
import { get } from "../lib/api.js";
import { dateTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import "../lib/i18n-periods.js";
import { mayAdminister, mayContribute } from "../lib/permissions.js";
import { keys, useInfiniteList, useMe, useObjectivesById } from "../lib/queries.js";
import type { Me } from "../lib/types.js";

const fmt = (v: number | null, k: Pick<Kpi, "unit" | "currency">) => {
  if (v === null) return "—";
  if (k.unit === "currency" && k.currency) {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: k.currency }).format(v);
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(v)}${k.unit === "percent" ? " %" : ""}`;
};

/** The healthy range in words: "at least 400", "at most 120", "0 to 40". */
function range(k: Kpi): string {
  if (k.healthyMin !== null && k.healthyMax !== null) {
    return t("kpiEdit.rangeBoth", { min: fmt(k.healthyMin, k), max: fmt(k.healthyMax, k) });
  }
  if (k.healthyMin !== null) return t("kpiEdit.rangeMin", { value: fmt(k.healthyMin, k) });
  if (k.healthyMax !== null) return t("kpiEdit.rangeMax", { value: fmt(k.healthyMax, k) });
  return t("kpiEdit.rangeNone");
}

/** Whether the person may change this KPI: its owners and admins, with a credential that writes. */
function mayChange(me: Me | undefined, k: Kpi): boolean {
  return !!me && mayContribute(me) && (mayAdminister(me) || k.ownerIds.includes(me.user.id));
}

function KpiCard({ k, me }: { k: Kpi; me: Me | undefined }) {
  const [dialog, setDialog] = useState<"edit" | "record" | "delete" | null>(null);
  const detail = useQuery({
    queryKey: [...keys.kpis, "one", k.id, k.version, k.currentAt],
    queryFn: () => get<Kpi & { values: { value: number; at: string }[] }>(`/kpis/${k.id}`),
  });
  const values = detail.data?.values.map((v) => v.value) ?? [];
  const linked = useObjectivesById(k.objectiveIds);
  const canChange = mayChange(me, k);
  return (
    <Card withBorder component="article" aria-labelledby={`kpi-${k.id}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Text fw={600} id={`kpi-${k.id}`}>
            {k.name}
          </Text>
          <Badge
            variant="light"
            color={k.healthy === null ? "gray" : k.healthy ? "teal" : "red"}
            style={{ flexShrink: 0 }}
          >
            {k.healthy === null ? t("kpis.noValue") : k.healthy ? t("kpis.healthy") : t("kpis.unhealthy")}
          </Badge>
        </Group>
        {k.description && (
          <Text size="sm" c="dimmed" lineClamp={2}>
            {k.description}
          </Text>
        )}
        <Text size="xl" fw={700}>
          {fmt(k.current, k)}
        </Text>
        <Text size="xs" c="dimmed">
          {k.currentAt ? t("kpiEdit.latestAt", { date: dateTime(k.currentAt) }) : t("kpiEdit.noValues")}
        </Text>
        <Text size="xs" c="dimmed">
          {t("kpis.range")}: {range(k)}
        </Text>
        {values.length > 1 && (
          <div
            role="img"
            aria-label={`${t("kpiEdit.chart", { name: k.name })}. ${t("kpis.trend", {
              values: values
                .slice(-6)
                .map((v) => fmt(v, k))
                .join(", "),
            })}`}
          >
            <Sparkline
              h={56}
              data={values}
              curveType="linear"
              color={k.healthy === false ? "red.7" : "teal.7"}
              fillOpacity={0.15}
            />
          </div>
        )}
        {k.objectiveIds.length > 0 && (
          <Stack gap={2}>
            <Text size="xs" c="dimmed">
              {t("kpiEdit.linked", { count: k.objectiveIds.length })}
            </Text>
            {k.objectiveIds.map((id) => (
              <AppLink key={id} to="/objectives/$objectiveId" params={{ objectiveId: id }} size="xs">
                {linked.get(id)?.title ?? "…"}
              </AppLink>
            ))}
          </Stack>
        )}
        {canChange && (
          <Group gap="xs" mt="xs">
            <Button
              size="xs"
              onClick={() => setDialog("record")}
              aria-label={t("kpiEdit.recordLabel", { name: k.name })}
            >
              {t("kpiEdit.record")}
            </Button>
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPencil size={14} aria-hidden />}
              onClick={() => setDialog("edit")}
              aria-label={t("kpiEdit.editLabel", { name: k.name })}
            >
              {t("kpiEdit.edit")}
            </Button>
            <Button
              size="xs"
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={14} aria-hidden />}
              onClick={() => setDialog("delete")}
              aria-label={t("kpiEdit.deleteLabel", { name: k.name })}
            >
              {t("kpiEdit.delete")}
            </Button>
          </Group>
        )}
      </Stack>
      {canChange && (
        <>
          {dialog === "edit" && <KpiDialog opened kpi={k} onClose={() => setDialog(null)} />}
          {dialog === "record" && <KpiValueDialog opened kpi={k} onClose={() => setDialog(null)} />}
          <KpiDeleteDialog kpi={dialog === "delete" ? k : null} onClose={() => setDialog(null)} />
        </>
      )}
    </Card>
  );
}

export function KpisPage() {
  const kpis = useInfiniteList<Kpi>([...keys.kpis, "pages"], "/kpis", {}, { pageSize: 48 });
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const canCreate = mayContribute(me.data);
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={2}>{t("kpis.title")}</Title>
          <Text size="sm" c="dimmed">
            {t("kpiEdit.intro")}
          </Text>
        </Stack>
        {canCreate && (
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
            {t("kpiEdit.add")}
          </Button>
        )}
      </Group>
      {me.data && !canCreate && (
        <Text size="sm" c="dimmed">
          {t("kpiEdit.readOnly")}
        </Text>
      )}
      <QueryState query={kpis.query} isEmpty={() => kpis.items.length === 0} empty={t("kpiEdit.none")}>
        {() => (
          <>
            <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
              {kpis.items.map((k) => (
                <KpiCard key={k.id} k={k} me={me.data} />
              ))}
            </SimpleGrid>
            <LoadMore hasMore={kpis.hasMore} loading={kpis.loadingMore} onLoad={kpis.loadMore} />
          </>
        )}
      </QueryState>
      {canCreate && <KpiDialog opened={creating} onClose={() => setCreating(false)} />}
    </Stack>
  );
}
