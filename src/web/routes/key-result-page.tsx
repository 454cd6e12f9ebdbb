import { Badge, Button, Group, Stack, Text, Title } from "@mantine/core";
import { useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { periodSpan } from "../../domain/periods.js";
import { useShowPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { ForecastText } from "../components/forecast-text.js";
import { OwnerNames } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { ScoreReason } from "../components/score-reason.js";
import { StatusBadge } from "../components/status-badge.js";
import { AlignmentParents } from "../features/alignment/alignment-parents.js";
import { CheckInDialog } from "../features/check-in/check-in-dialog.js";
import { CheckInHistory } from "../features/check-in/check-in-history.js";
import { CommentsPanel } from "../features/comments/comments-panel.js";
import { DataLinkCard } from "../features/key-results/data-link-card.js";
import { KeyResultActions } from "../features/key-results/key-result-actions.js";
import { KeyResultChart } from "../features/key-results/key-result-chart.js";
import { percent, value } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { mayCheckIn } from "../lib/permissions.js";
import { useCheckIns, useKeyResult, useMe, useObjective, usePeriods, useSettings } from "../lib/queries.js";

export function KeyResultPage() {
  const { keyResultId } = useParams({ from: "/app/key-results/$keyResultId" });
  const kr = useKeyResult(keyResultId);
  const checkIns = useCheckIns(keyResultId);
  const objective = useObjective(kr.data?.objectiveId ?? "");
  const periods = usePeriods();
  const settings = useSettings();
  const [open, setOpen] = useState(false);
  const me = useMe();
  const search = useSearch({ from: "/app/key-results/$keyResultId" });
  const navigate = useNavigate();
  const mayCheckInHere =
    !!kr.data &&
    kr.data.progressMode === "manual" &&
    !kr.data.closed &&
    !!objective.data &&
    mayCheckIn(me.data, kr.data, objective.data);
  // A reminder's link (`?checkIn=1`) opens the check-in form once; the flag then leaves the
  // address, so reloading or going back does not open it again.
  useEffect(() => {
    if (search.checkIn !== 1 || !kr.data || !objective.data || !me.data) return;
    if (mayCheckInHere) setOpen(true);
    void navigate({
      to: ".",
      search: ({ checkIn: _, ...rest }: typeof search) => rest,
      replace: true,
    } as never);
  }, [search, kr.data, objective.data, me.data, mayCheckInHere, navigate]);
  useShowPeriod(objective.data?.periodId);
  const period = periods.data?.items.find((p) => p.id === objective.data?.periodId);
  const tz = settings.data?.timeZone ?? "UTC";
  const span =
    period && kr.data ? periodSpan(kr.data.startDate ?? period.startDate, kr.data.endDate ?? period.endDate, tz) : null;
  return (
    <QueryState query={kr}>
      {(k) => (
        <Stack>
          <Group justify="space-between" align="flex-start">
            <Stack gap={4}>
              {objective.data && (
                <AppLink to="/objectives/$objectiveId" params={{ objectiveId: k.objectiveId }} size="sm">
                  ← {objective.data.title}
                </AppLink>
              )}
              <Title order={2}>{k.title}</Title>
              <Group gap="xs">
                <Badge variant="outline">{t(`krType.${k.type}`)}</Badge>
                <Text size="sm" c="dimmed">
                  {k.progressMode === "rollup"
                    ? t("keyResult.rollup", { method: t(`edit.method.${k.rollup}`) })
                    : k.type === "milestone"
                      ? (k.progress ?? 0) >= 1
                        ? t("keyResult.milestoneDone")
                        : t("keyResult.milestoneOpen")
                      : k.type === "stayAbove" || k.type === "stayBelow"
                        ? t(`keyResult.${k.type}`, { target: value(k, k.target) })
                        : k.type === "baseline"
                          ? t("keyResult.baseline")
                          : t("keyResult.from", { start: value(k, k.start), target: value(k, k.target) })}
                </Text>
              </Group>
            </Stack>
            <Stack gap={4} align="flex-end">
              <Group gap="xs">
                <Text fw={700} size="xl">
                  {percent(k.progress)}
                </Text>
                <StatusBadge status={k.status} />
              </Group>
              <OwnerNames ids={k.ownerIds} />
              <ForecastText forecast={k.forecast} status={k.status} />
              {k.score !== null && (
                <Text size="sm" ta="right" maw={360}>
                  <ScoreReason score={t("keyResult.scored", { score: k.score.toFixed(1) })} reason={k.scoreReason} />
                </Text>
              )}
              <Group gap="xs">
                {objective.data && <KeyResultActions kr={k} objective={objective.data} />}
                {mayCheckInHere && (
                  <Button onClick={() => setOpen(true)} size="sm">
                    {t("home.checkIn")}
                  </Button>
                )}
              </Group>
            </Stack>
          </Group>
          <ProgressMeter
            progress={k.progress}
            expected={k.expectedProgress}
            status={k.status}
            label={`${k.title}: ${percent(k.progress)}`}
          />
          <AlignmentParents key={`parents-${k.id}`} keyResult={k} />
          <KeyResultChart kr={k} span={span} timeZone={tz} />
          <CheckInHistory kr={k} checkIns={checkIns} />
          <DataLinkCard key={`data-link-${k.id}`} kr={k} />
          <CommentsPanel key={`comments-${k.id}`} objectType="keyResult" objectId={k.id} />
          {open && <CheckInDialog kr={k} objective={objective.data} opened={open} onClose={() => setOpen(false)} />}
        </Stack>
      )}
    </QueryState>
  );
}
