/**
 * The background jobs (owners and admins): what each does, its schedule, its next and last
 * run and the week's failures; any job can be run now, and the page shows what that run did
 * (for reminders: who was reminded of what, who was skipped and why, who was escalated).
 */
import "../lib/i18n-jobs.js";
import { Alert, Badge, Button, Card, Group, List, Stack, Text, Title } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { QueryState } from "../components/query-state.js";
import { AdminsOnly } from "../features/admin/admins-only.js";
import { api, get } from "../lib/api.js";
import { dateTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import type { Job, JobRun } from "../lib/types.js";

interface ReminderSummary {
  notYet: string | null;
  reminded: { name: string; channel: string; keyResults: { title: string }[] }[];
  escalated: { managerName: string; name: string; keyResults: { title: string }[] }[];
  skipped: { title: string; reason: string }[];
  counts: { considered: number; due: number; reminded: number; skipped: number; notDue: number };
  chat?: ChatPost[];
}

interface ChatPost {
  kind: "slack" | "teams";
  from: "team" | "ancestor" | "organization";
  ok: boolean;
  error: string | null;
}

interface DigestSummary {
  weekOf: string;
  notYet?: string;
  sent: { name: string; channel: string; sections: string[] }[];
  skipped: { name: string; reason: string }[];
  chat?: ChatPost[];
}

function isReminderSummary(s: unknown): s is ReminderSummary {
  return typeof s === "object" && s !== null && "reminded" in s && "counts" in s;
}

function isDigestSummary(s: unknown): s is DigestSummary {
  return typeof s === "object" && s !== null && "weekOf" in s && "sent" in s && "skipped" in s;
}

/** The chat channels a run posted to, and how it went. */
function ChatPosts({ posts }: { posts: readonly ChatPost[] | undefined }) {
  return (posts ?? []).map((p, i) => {
    const words = {
      where: t(p.from === "organization" ? "jobs.chatOrg" : p.from === "team" ? "jobs.chatTeam" : "jobs.chatAncestor"),
      kind: p.kind === "slack" ? "Slack" : "Microsoft Teams",
      error: p.error ?? "",
    };
    return (
      // biome-ignore lint/suspicious/noArrayIndexKey: two teams' channels may look alike
      <List.Item key={`c-${i}`} c={p.ok ? undefined : "red"}>
        {t(p.ok ? "jobs.chatPosted" : "jobs.chatFailed", words)}
      </List.Item>
    );
  });
}

/** What a digest run did, in words. */
function DigestResult({ s }: { s: DigestSummary }) {
  if (s.notYet) return <Text size="sm">{t("jobs.notYet", { why: s.notYet })}</Text>;
  return (
    <Stack gap={4}>
      <List size="sm" spacing={2}>
        {s.sent.length === 0 && <List.Item>{t("jobs.digestNobody")}</List.Item>}
        {s.sent.slice(0, 20).map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: two people may share a name
          <List.Item key={`d-${i}`}>
            {t("jobs.digestSent", {
              name: p.name,
              channel: t(p.channel === "email" ? "jobs.channelEmail" : "jobs.channelInApp"),
              sections: p.sections.join(", "),
            })}
          </List.Item>
        ))}
        {s.skipped.slice(0, 20).map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: two people may share a name
          <List.Item key={`k-${i}`}>{t("jobs.digestSkipped", { name: p.name, reason: p.reason })}</List.Item>
        ))}
        <ChatPosts posts={s.chat} />
      </List>
      <Text size="xs" c="dimmed">
        {t("jobs.digestCounts", { weekOf: s.weekOf, sent: s.sent.length, skipped: s.skipped.length })}
      </Text>
    </Stack>
  );
}

/** What a run did, in words (reminders and digests), or its figures as they came. */
function RunResult({ run }: { run: JobRun }) {
  if (run.ok === false) return <Text c="red">{run.error}</Text>;
  if (run.idle) return <Text size="sm">{t("jobs.idleResult", { at: dateTime(run.startedAt) })}</Text>;
  const s = run.summary;
  if (isDigestSummary(s)) return <DigestResult s={s} />;
  if (!isReminderSummary(s)) {
    return (
      <Text size="sm" ff="monospace" style={{ overflowWrap: "anywhere" }}>
        {JSON.stringify(s)}
      </Text>
    );
  }
  if (s.notYet) return <Text size="sm">{t("jobs.notYet", { why: s.notYet })}</Text>;
  const titles = (krs: { title: string }[]) => krs.map((k) => k.title).join(", ");
  return (
    <Stack gap={4}>
      <List size="sm" spacing={2}>
        {s.reminded.length === 0 && <List.Item>{t("jobs.nobody")}</List.Item>}
        {s.reminded.map((r) => (
          <List.Item key={`r-${r.name}`}>
            {t("jobs.reminded", {
              name: r.name,
              channel: t(r.channel === "email" ? "jobs.channelEmail" : "jobs.channelInApp"),
              titles: titles(r.keyResults),
            })}
          </List.Item>
        ))}
        {s.escalated.map((e) => (
          <List.Item key={`e-${e.managerName}-${e.name}`}>
            {t("jobs.escalated", { manager: e.managerName, name: e.name, titles: titles(e.keyResults) })}
          </List.Item>
        ))}
        {s.skipped.slice(0, 20).map((k, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a key result may be skipped once per owner
          <List.Item key={`s-${i}`}>{t("jobs.skipped", { title: k.title, reason: k.reason })}</List.Item>
        ))}
        <ChatPosts posts={s.chat} />
      </List>
      <Text size="xs" c="dimmed">
        {t("jobs.counts", s.counts)}
      </Text>
    </Stack>
  );
}

function JobCard({ job }: { job: Job }) {
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: () => api<JobRun>("POST", `/jobs/${job.name}/run`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["jobs"] }),
  });
  const last = run.data ?? job.lastRun;
  return (
    <Card withBorder component="section" aria-labelledby={`job-${job.name}`}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <div style={{ minWidth: 0, flex: 1 }}>
            <Title order={3} size="h5" id={`job-${job.name}`}>
              {job.title}
            </Title>
            <Text size="sm" c="dimmed">
              {job.description}
            </Text>
          </div>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlayerPlay size={14} />}
            loading={run.isPending}
            aria-label={t("jobs.runNamed", { title: job.title })}
            onClick={() => run.mutate()}
          >
            {t("jobs.runNow")}
          </Button>
        </Group>
        <Group gap="lg" wrap="wrap">
          <Text size="sm">
            {t("jobs.schedule")}: <code>{job.schedule}</code>
          </Text>
          <Text size="sm">
            {t("jobs.nextRun")}: {dateTime(job.nextRunAt)}
          </Text>
          <Text size="sm">
            {t("jobs.lastRun")}:{" "}
            {last ? (
              <>
                {dateTime(last.startedAt)} ({t(last.trigger === "manual" ? "jobs.manual" : "jobs.scheduled")}){" "}
                <Badge color={last.ok === false ? "red" : last.ok && !last.idle ? "teal" : "gray"} variant="light">
                  {t(
                    last.ok === false ? "jobs.failed" : last.idle ? "jobs.idle" : last.ok ? "jobs.ok" : "jobs.running",
                  )}
                </Badge>
              </>
            ) : (
              t("jobs.never")
            )}
          </Text>
          <Text size="sm" c={job.failuresLastWeek > 0 ? "red" : undefined}>
            {t("jobs.failures")}: {job.failuresLastWeek}
          </Text>
        </Group>
        {run.error && <Alert color="red">{run.error.message}</Alert>}
        {last && (
          <div>
            <Text size="sm" fw={600}>
              {t("jobs.result")}
            </Text>
            <RunResult run={last} />
          </div>
        )}
      </Stack>
    </Card>
  );
}

export function JobsPage() {
  return (
    <AdminsOnly title={t("jobs.title")}>
      <Jobs />
    </AdminsOnly>
  );
}

/** The jobs themselves: asked for only once the guard let an owner or admin through. */
function Jobs() {
  const jobs = useQuery({ queryKey: ["jobs"], queryFn: () => get<{ items: Job[] }>("/jobs") });
  return (
    <Stack>
      <Title order={2}>{t("jobs.title")}</Title>
      <Text c="dimmed">{t("jobs.intro")}</Text>
      <QueryState query={jobs}>
        {(d) => (
          <Stack>
            {d.items.map((j) => (
              <JobCard key={j.name} job={j} />
            ))}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
