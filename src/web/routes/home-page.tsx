import { Box, Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { IconPlus } from "@tabler/icons-react";
import { useQueries } from "@tanstack/react-query";
import { useSearch } from "@tanstack/react-router";
import { useEffect, useMemo, useRef, useState } from "react";
import { useCurrentPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { DisabledWithReason } from "../components/disabled-reason.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { StatusBadge } from "../components/status-badge.js";
import { VirtualRows } from "../components/virtual-rows.js";
import { CheckInDialog } from "../features/check-in/check-in-dialog.js";
import { ObjectiveCreateDialog } from "../features/objectives/objective-create-dialog.js";
import { ReviewsWaiting } from "../features/objectives/reviews-waiting.js";
import { dateTime, percent, value } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { mayAdminister, mayCheckIn, mayContribute } from "../lib/permissions.js";
import { fetchAll, keys, useAllObjectives, useMe } from "../lib/queries.js";
import type { KeyResult, Objective } from "../lib/types.js";

const DAY = 86_400_000;

/** A KR is due when it is open, manual, and has had no check-in for a week. */
function isDue(kr: KeyResult): boolean {
  if (kr.closed || kr.progressMode !== "manual") return false;
  return !kr.lastCheckInAt || Date.now() - Date.parse(kr.lastCheckInAt) > 7 * DAY;
}

function KeyResultRow({ kr, objective }: { kr: KeyResult; objective: Objective }) {
  const [open, setOpen] = useState(false);
  const me = useMe();
  // On a phone the name takes its own line and wraps; the figures follow underneath.
  const phone = useMediaQuery("(max-width: 36em)");
  const title = (
    <AppLink
      to="/key-results/$keyResultId"
      params={{ keyResultId: kr.id }}
      size="sm"
      truncate={phone ? undefined : "end"}
      title={kr.title}
    >
      {kr.title}
    </AppLink>
  );
  const meter = (
    <ProgressMeter
      progress={kr.progress}
      expected={kr.expectedProgress}
      status={kr.status}
      label={`${kr.title}: ${percent(kr.progress)}`}
    />
  );
  const figures = (
    <>
      <Text size="sm" miw={{ base: 64, sm: 90 }} ta="right" style={{ flexShrink: 0, whiteSpace: "nowrap" }}>
        {kr.type === "milestone" ? (kr.achieved ? "✓" : "—") : value(kr, kr.current)}
      </Text>
      <StatusBadge status={kr.status} score={kr.score} />
      {kr.progressMode === "manual" && !kr.closed && mayCheckIn(me.data, kr, objective) && (
        <Button
          size="xs"
          variant="light"
          style={{ flexShrink: 0 }}
          onClick={() => setOpen(true)}
          aria-label={`${t("home.checkIn")}: ${kr.title}`}
        >
          {t("home.checkIn")}
        </Button>
      )}
      {open && <CheckInDialog kr={kr} objective={objective} opened={open} onClose={() => setOpen(false)} />}
    </>
  );
  if (phone) {
    return (
      <Stack gap={4}>
        {title}
        <Group wrap="nowrap" gap="xs" align="center">
          <Box style={{ flex: 1, minWidth: 0 }}>{meter}</Box>
          {figures}
        </Group>
      </Stack>
    );
  }
  return (
    <Group wrap="nowrap" gap="sm" align="center">
      <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
        {title}
        {meter}
      </Stack>
      {figures}
    </Group>
  );
}

export function ObjectiveCard({ objective }: { objective: Objective }) {
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-labelledby={`o-${objective.id}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <AppLink
            to="/objectives/$objectiveId"
            params={{ objectiveId: objective.id }}
            fw={600}
            id={`o-${objective.id}`}
          >
            {objective.title}
          </AppLink>
          <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
            <Text size="sm" fw={600}>
              {percent(objective.progress)}
            </Text>
            <StatusBadge status={objective.status} score={objective.score} />
          </Group>
        </Group>
        <ProgressMeter
          progress={objective.progress}
          expected={objective.expectedProgress}
          status={objective.status}
          label={`${objective.title}: ${percent(objective.progress)}`}
        />
        <Stack gap="xs">
          {objective.keyResults.map((kr) => (
            <KeyResultRow key={kr.id} kr={kr} objective={objective} />
          ))}
        </Stack>
        <Text size="xs" c="dimmed">
          {t("common.lastCheckIn")}: {objective.lastCheckInAt ? dateTime(objective.lastCheckInAt) : t("common.never")}
        </Text>
      </Stack>
    </Card>
  );
}

/** How many due key results show before "show more". */
const DUE_STEP = 20;

export function HomePage() {
  const me = useMe();
  const { period, periods } = useCurrentPeriod();
  const myId = me.data?.user.id;
  // One person's objectives: every page is loaded (a few hundred at most), then drawn a screenful at a time.
  const objectives = useAllObjectives({ periodId: period?.id, ownerId: myId }, !!period && !!myId);
  const overlapping = (periods.data?.items ?? []).filter(
    (p) => period && p.startDate <= period.endDate && p.endDate >= period.startDate,
  );
  // Key results I own or stand in for, in anyone's objectives (not only in mine).
  const involving = useAllObjectives({ periodId: period?.id, involves: myId }, !!period && !!myId);
  const dueKrs = useMemo(
    () =>
      (involving.data?.items ?? []).flatMap((o) =>
        o.keyResults
          .filter((k) => myId && (k.ownerIds.includes(myId) || k.delegateIds.includes(myId)) && isDue(k))
          .map((k) => ({ k, o })),
      ),
    [involving.data, myId],
  );
  const [dueShown, setDueShown] = useState(DUE_STEP);
  // A reminder's link to my due check-ins (`/?due=1`): bring that list into view once it is loaded.
  const { due } = useSearch({ from: "/app/" });
  const dueHeading = useRef<HTMLHeadingElement>(null);
  const dueReady = !involving.isPending;
  useEffect(() => {
    if (due !== 1 || !dueReady) return;
    dueHeading.current?.scrollIntoView({ block: "start" });
    dueHeading.current?.focus({ preventScroll: true });
  }, [due, dueReady]);
  const [creating, setCreating] = useState(false);
  const wide = useMediaQuery("(min-width: 75em)");
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>{t("home.title")}</Title>
          <Text c="dimmed">{t("home.subtitle", { name: me.data?.user.name ?? "", period: period?.name ?? "" })}</Text>
        </div>
        {period &&
          myId &&
          mayContribute(me.data) &&
          // A closed period takes no new objective (the API refuses it too): said, not offered.
          (period.closedAt ? (
            <DisabledWithReason
              leftSection={<IconPlus size={16} />}
              reason={t(mayAdminister(me.data) ? "create.periodClosed" : "create.periodClosedAskAdmin", {
                period: period.name,
              })}
            >
              {t("create.open")}
            </DisabledWithReason>
          ) : (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              {t("create.open")}
            </Button>
          ))}
      </Group>
      {creating && period && !period.closedAt && myId && (
        <ObjectiveCreateDialog opened={creating} onClose={() => setCreating(false)} period={period} me={myId} />
      )}
      <section aria-labelledby="due-heading">
        <Title order={3} size="h4" id="due-heading" mb="xs" ref={dueHeading} tabIndex={-1}>
          {t("home.due")}
          {dueKrs.length > 0 && ` (${dueKrs.length})`}
        </Title>
        {dueKrs.length === 0 ? (
          <Text c="dimmed" size="sm">
            {involving.isPending ? t("common.loading") : t("home.dueNone")}
          </Text>
        ) : (
          <Card withBorder>
            <Stack gap="xs">
              {dueKrs.slice(0, dueShown).map(({ k, o }) => (
                <KeyResultRow key={k.id} kr={k} objective={o} />
              ))}
              {dueKrs.length > dueShown && (
                <Group>
                  <Button variant="subtle" size="xs" onClick={() => setDueShown((n) => n + 50)}>
                    {t("home.dueMore", { count: dueKrs.length - dueShown })}
                  </Button>
                </Group>
              )}
            </Stack>
          </Card>
        )}
      </section>
      <ReviewsWaiting />
      <section aria-labelledby="mine-heading">
        <Title order={3} size="h4" id="mine-heading" mb="xs">
          {t("home.mine")}
          {objectives.data && objectives.data.items.length > 0 && ` (${objectives.data.items.length})`}
        </Title>
        <QueryState query={objectives} isEmpty={(d) => d.items.length === 0} empty={t("home.none")}>
          {(d) => (
            <VirtualRows
              items={d.items}
              cols={wide ? 2 : 1}
              estimate={260}
              getKey={(o) => o.id}
              render={(o) => <ObjectiveCard objective={o} />}
            />
          )}
        </QueryState>
      </section>
      {objectives.data?.items.length === 0 && <OrganisationObjectives periodIds={overlapping.map((p) => p.id)} />}
    </Stack>
  );
}

/** When a person owns nothing yet: the organisation's objectives of the periods overlapping this one. */
function OrganisationObjectives({ periodIds }: { periodIds: string[] }) {
  const lists = useQueries({
    queries: periodIds.map((periodId) => ({
      queryKey: keys.objectiveAll({ level: "organization", periodId }),
      queryFn: () => fetchAll<Objective>("/objectives", { level: "organization", periodId }),
    })),
  });
  const items = lists.flatMap((l) => l.data?.items ?? []).filter((o) => o.state !== "draft");
  return (
    <section aria-labelledby="org-heading">
      <Title order={3} size="h4" id="org-heading" mb="xs">
        {t("home.organisation")}
      </Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {items.map((o) => (
          <ObjectiveCard key={o.id} objective={o} />
        ))}
      </SimpleGrid>
    </section>
  );
}
