/** KPIs: health metrics with their healthy range, latest value and trend. */
import { Sparkline } from "@mantine/charts";
import { Badge, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import { LoadMore } from "../components/load-more.js";
import { QueryState } from "../components/query-state.js";
import { get } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import { keys, useInfiniteList } from "../lib/queries.js";

type Kpi = import("../lib/types.js").Kpi;
type KpiDetail = import("../lib/types.js").KpiDetail;

const fmt = (v: number | null, unit: string) =>
  v === null
    ? "—"
    : `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(v)}${unit === "percent" ? " %" : ""}`;

export function KpisPage() {
  const kpis = useInfiniteList<Kpi>([...keys.kpis, "pages"], "/kpis", {}, { pageSize: 48 });
  const details = useQueries({
    queries: kpis.items.map((k) => ({
      queryKey: [...keys.kpis, "one", k.id],
      queryFn: () => get<KpiDetail>(`/kpis/${k.id}`),
    })),
  });
  return (
    <Stack>
      <Title order={2}>{t("kpis.title")}</Title>
      <QueryState query={kpis.query} isEmpty={() => kpis.items.length === 0} empty={t("kpis.none")}>
        {() => (
          <>
            <SimpleGrid cols={{ base: 1, md: 2, xl: 4 }}>
              {kpis.items.map((k, i) => {
                const values = details[i]?.data?.values.map((v) => v.value) ?? [];
                return (
                  <Card withBorder key={k.id} component="article" aria-labelledby={`kpi-${k.id}`}>
                    <Stack gap="xs">
                      <Group justify="space-between">
                        <Text fw={600} id={`kpi-${k.id}`}>
                          {k.name}
                        </Text>
                        <Badge variant="light" color={k.healthy === null ? "gray" : k.healthy ? "teal" : "red"}>
                          {k.healthy === null ? t("kpis.noValue") : k.healthy ? t("kpis.healthy") : t("kpis.unhealthy")}
                        </Badge>
                      </Group>
                      <Text size="xl" fw={700}>
                        {fmt(k.current, k.unit)}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {t("kpis.range")}: {fmt(k.healthyMin, k.unit)} – {fmt(k.healthyMax, k.unit)}
                      </Text>
                      {values.length > 1 && (
                        <div
                          role="img"
                          aria-label={t("kpis.trend", {
                            values: values
                              .slice(-6)
                              .map((v) => fmt(v, k.unit))
                              .join(", "),
                          })}
                        >
                          <Sparkline
                            h={48}
                            data={values}
                            curveType="linear"
                            color={k.healthy === false ? "red.7" : "teal.7"}
                            fillOpacity={0.15}
                          />
                        </div>
                      )}
                    </Stack>
                  </Card>
                );
              })}
            </SimpleGrid>
            <LoadMore hasMore={kpis.hasMore} loading={kpis.loadingMore} onLoad={kpis.loadMore} />
          </>
        )}
      </QueryState>
    </Stack>
  );
}
