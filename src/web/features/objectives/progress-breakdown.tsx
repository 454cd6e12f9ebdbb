/**
 * What makes up an objective's percentage (okr-method §3): its own key results and the items
 * that contribute to it, each with its weight, its share of the total weight, its progress and
 * what it adds, so the sum is there to read. Drawn from GET /objectives/:id/breakdown.
 */
import { Card, Group, Progress, Stack, Text, Title, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { AppLink } from "../../components/app-link.js";
import { QueryState } from "../../components/query-state.js";
import { get } from "../../lib/api.js";
import { percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import type { Objective } from "../../lib/types.js";

export type BreakdownItem = import("../../lib/types.js").BreakdownItem;

export type Breakdown = import("../../lib/types.js").Breakdown;

// Under "objectives": whatever changes an objective's figures refetches this too.
const breakdownKey = (id: string) => ["objectives", "breakdown", id] as const;

const SEGMENT_COLORS = ["teal", "blue", "grape", "orange", "cyan", "pink", "lime", "indigo"];

const weightText = (w: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(w);

function ItemLine({ item, color }: { item: BreakdownItem; color: string }) {
  const title =
    item.type === "keyResult" && item.source === "own" ? (
      <AppLink to="/key-results/$keyResultId" params={{ keyResultId: item.id }} size="sm">
        {item.title}
      </AppLink>
    ) : item.objectiveId && item.type !== "initiative" ? (
      <AppLink to="/objectives/$objectiveId" params={{ objectiveId: item.objectiveId }} size="sm">
        {item.title}
      </AppLink>
    ) : (
      <Text size="sm">{item.title}</Text>
    );
  return (
    <li data-testid="breakdown-item">
      <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
        <Group gap={6} wrap="nowrap" align="flex-start" style={{ minWidth: 0 }}>
          <span
            aria-hidden
            style={{
              flex: "none",
              width: 10,
              height: 10,
              marginTop: 5,
              borderRadius: 2,
              border: `1px solid var(--mantine-color-${color}-6)`,
              background: item.counted ? `var(--mantine-color-${color}-6)` : "transparent",
            }}
          />
          <div style={{ minWidth: 0, overflowWrap: "anywhere" }}>
            {title}
            <Text size="xs" c="dimmed">
              {t(`breakdown.source.${item.source}`)} ·{" "}
              {item.counted
                ? t("breakdown.line", {
                    weight: weightText(item.weight),
                    share: percent(item.share),
                    progress: percent(item.progress),
                  })
                : item.progress === null
                  ? t("breakdown.noProgress")
                  : t("breakdown.noWeight")}
            </Text>
          </div>
        </Group>
        <Text size="sm" fw={600} style={{ whiteSpace: "nowrap" }} data-testid="breakdown-adds">
          {item.counted ? t("breakdown.adds", { points: percent(item.contribution) }) : "—"}
        </Text>
      </Group>
    </li>
  );
}

function BreakdownView({ b }: { b: Breakdown }) {
  const counted = b.items.filter((i) => i.counted);
  const colorOf = new Map(counted.map((i, n) => [i.id, SEGMENT_COLORS[n % SEGMENT_COLORS.length]!]));
  return (
    <Stack gap="sm">
      {/* The bar repeats the list below as a picture: hidden from assistive technology. */}
      <div aria-hidden>
        <Progress.Root size="lg">
          {counted.map((i) => (
            <Tooltip key={i.id} label={`${i.title}: ${t("breakdown.adds", { points: percent(i.contribution) })}`}>
              <Progress.Section value={i.contribution * 100} color={colorOf.get(i.id)} />
            </Tooltip>
          ))}
        </Progress.Root>
      </div>
      <ul style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: 8 }}>
        {b.items.map((i) => (
          <ItemLine key={`${i.source}:${i.id}`} item={i} color={colorOf.get(i.id) ?? "gray"} />
        ))}
      </ul>
      {b.hidden.count > 0 && (
        <Text size="xs" c="dimmed">
          {t("breakdown.hidden", { count: b.hidden.count, share: percent(b.hidden.share) })}
        </Text>
      )}
      <Group justify="space-between" pt={6} style={{ borderTop: "1px solid var(--mantine-color-default-border)" }}>
        <Text size="sm" fw={700}>
          {t("breakdown.total")}
        </Text>
        <Text size="sm" fw={700} data-testid="breakdown-total">
          {percent(b.rollup)}
        </Text>
      </Group>
      {b.progressOverride !== null && (
        <Text size="xs" c="dimmed">
          {t("breakdown.override", { progress: percent(b.progressOverride) })}
        </Text>
      )}
    </Stack>
  );
}

/** What makes up an objective's progress, from the server (the check-in preview reads it too). */
export function useProgressBreakdown(objectiveId: string | undefined) {
  return useQuery({
    queryKey: breakdownKey(objectiveId ?? ""),
    queryFn: () => get<Breakdown>(`/objectives/${objectiveId}/breakdown`),
    enabled: objectiveId !== undefined,
  });
}

/** The breakdown card of one objective's progress. */
export function ProgressBreakdown({ objective }: { objective: Objective }) {
  const query = useProgressBreakdown(objective.id);
  return (
    <Card withBorder mt="md" component="section" aria-labelledby="breakdown-title">
      <Title order={3} size="h5" id="breakdown-title">
        {t("breakdown.title", { progress: percent(objective.progress) })}
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        {t("breakdown.help")}
      </Text>
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0 && d.hidden.count === 0}
        empty={t("breakdown.none")}
      >
        {(b) => <BreakdownView b={b} />}
      </QueryState>
    </Card>
  );
}
