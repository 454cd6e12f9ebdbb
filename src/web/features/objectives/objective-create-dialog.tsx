/**
 * Create an objective with its key results, optionally from a template, aligned under a
 * parent, with the coach's findings shown as you type (the same checks the server runs).
 */
import {
  ActionIcon,
  Alert,
  Button,
  Divider,
  Group,
  List,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { DEFAULT_ORG_RULES } from "../../../domain/access.js";
import { runCoach } from "../../../domain/coach.js";
import { validateKeyResultTargets } from "../../../domain/progress.js";
import { DEFAULT_SETTINGS, KR_TYPES, type KrType, type Level } from "../../../domain/types.js";
import { CoachFinding } from "../../components/coach-finding.js";
import { DisabledWithReason } from "../../components/disabled-reason.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidatePrefixes } from "../../lib/live.js";
import { keysForChange } from "../../lib/live-keys.js";
import { mayAdminister, teamsForNewObjectives } from "../../lib/permissions.js";
import { useMe, useSettings, useTeamsById } from "../../lib/queries.js";
import type { Objective, Period } from "../../lib/types.js";
import { AlignTargetSelect, PeopleMultiSelect, TeamSelect } from "../pickers/pickers.js";
import { draftGaps, isBlankDraft, type KrField } from "./key-result-drafts.js";
import { LevelSelect, ObjectiveFlags } from "./objective-fields.js";
import { TEMPLATES } from "./templates.js";

interface KrDraft {
  key: number;
  title: string;
  type: KrType;
  start: number | "";
  target: number | "";
  unit: "number" | "percent" | "currency";
  currency: string;
  weight: number;
}

let nextKey = 0;
const blankKr = (): KrDraft => ({
  key: nextKey++,
  title: "",
  type: "increase",
  start: "",
  target: "",
  unit: "number",
  currency: "EUR",
  weight: 1,
});
const num = (v: number | "") => (v === "" ? null : v);

/** The longest title the API takes (TitleSchema(500)). */
const TITLE_MAX = 500;

/** "start value and target", "title, start value and target". */
function fieldList(fields: KrField[]): string {
  const names = fields.map((f) => t(`create.field.${f}`));
  return names.length < 2 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} ${t("create.and")} ${names.at(-1)}`;
}

export function ObjectiveCreateDialog({ opened, onClose, period, me }: DialogProps & { period: Period; me: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState("");
  // A team objective of the person's first team when they are in one; else their own (a team objective needs its team).
  const account = useMe().data;
  const myTeam = account?.user.teamIds[0] ?? null;
  const [level, setLevel] = useState<Level>(myTeam ? "team" : "individual");
  const [teamId, setTeamId] = useState<string | null>(myTeam);
  const [ownerIds, setOwnerIds] = useState<string[]>([me]);
  const [committed, setCommitted] = useState(false);
  const [isPrivate, setPrivate] = useState(false);
  const [parent, setParent] = useState<string | null>(null);
  const [krs, setKrs] = useState<KrDraft[]>([blankKr(), blankKr(), blankKr()]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const applyTemplate = (id: string | null) => {
    const tpl = TEMPLATES.find((x) => x.id === id);
    if (!tpl) return;
    setTitle(tpl.title);
    setKrs(
      tpl.keyResults.map((k) => ({
        key: nextKey++,
        title: k.title,
        type: k.type,
        start: k.start ?? "",
        target: k.target ?? "",
        unit: k.unit ?? "number",
        currency: k.currency ?? "EUR",
        weight: 1,
      })),
    );
  };
  const setKr = (i: number, patch: Partial<KrDraft>) =>
    setKrs((list) => list.map((k, j) => (j === i ? { ...k, ...patch } : k)));
  // A row left blank is a spare: not sent, not weighed, not judged by the coach, and not in the way.
  const blank = krs.map(isBlankDraft);
  const filled = krs.filter((_, i) => !blank[i]);
  const gaps = krs.map(draftGaps);
  // Under a titled row, the method's own wording of what its figures lack (with the way out).
  const rowProblems = krs.map((k) =>
    validateKeyResultTargets({ type: k.type, start: num(k.start), target: num(k.target) }),
  );
  const totalWeight = filled.reduce((s, k) => s + (k.weight > 0 ? k.weight : 0), 0);

  // The coach on the draft, exactly as the server would judge it once saved.
  const findings = runCoach({
    objectives: [
      {
        id: "draft",
        title: title || "(untitled)",
        level,
        ownerIds,
        periodId: period.id,
        span: null,
        periodStartDate: period.startDate,
        periodEndDate: period.endDate,
        committed,
        state: "draft",
        score: null,
        progress: 0,
        aligned: !!parent,
        initiativeCount: 0,
        keyResults: krs.flatMap((k, i) =>
          blank[i]
            ? []
            : [
                {
                  id: `kr${i}`,
                  // A row still without its title is named by its place in the form.
                  title: k.title || `(${t("create.kr")} ${i + 1})`,
                  type: k.type,
                  start: num(k.start),
                  target: num(k.target),
                  ownerIds,
                  baselineConfirmed: true,
                  startDate: null,
                  endDate: null,
                  firstCheckInMs: null,
                  lastCheckInMs: null,
                },
              ],
        ),
      },
    ],
    nowMs: Date.now(),
    settings: DEFAULT_SETTINGS,
  });

  const needsTeam = level === "team" && !teamId;
  // The teams whose objectives the person may create (null: all, for an admin), by the server's own rule.
  const myTeams = useTeamsById(account?.user.teamIds ?? []);
  const settings = useSettings().data;
  const allowedTeams = teamsForNewObjectives(account, [...myTeams.values()], {
    ...DEFAULT_ORG_RULES,
    membersCreateTeamOkrs: settings?.membersCreateTeamOkrs ?? DEFAULT_ORG_RULES.membersCreateTeamOkrs,
  });
  const teamsKnown = myTeams.size === (account?.user.teamIds.length ?? 0);
  const teamRefused =
    level === "team" && teamId && allowedTeams !== null && teamsKnown && !allowedTeams.includes(teamId)
      ? t(settings?.membersCreateTeamOkrs === false ? "create.teamNotOwned" : "create.teamNotYours")
      : null;
  const noOwner = ownerIds.length === 0;
  // Everything that keeps the objective from being created, said on the disabled button.
  const blockers = [
    ...(period.closedAt
      ? [t(mayAdminister(account) ? "create.periodClosed" : "create.periodClosedAskAdmin", { period: period.name })]
      : []),
    ...(!title.trim() ? [t("create.titleMissing")] : []),
    // Shorter than the field's own message, which gives the count.
    ...(title.trim().length > TITLE_MAX ? [t("create.titleShorten", { max: TITLE_MAX })] : []),
    ...(needsTeam ? [t("okrEdit.needsTeam")] : []),
    ...(teamRefused ? [teamRefused] : []),
    ...(noOwner ? [t("create.ownerMissing")] : []),
    ...gaps.flatMap((g, i) =>
      g.missing.length
        ? [t("create.krMissing", { n: i + 1, fields: fieldList(g.missing) })]
        : g.problems.length
          ? [t("create.krProblem", { n: i + 1 })]
          : [],
    ),
  ];
  const submit = async () => {
    if (blockers.length) return;
    setBusy(true);
    setError(null);
    try {
      // One request, one transaction: a key result or an alignment refused leaves nothing behind.
      const [parentType, parentId] = parent ? parent.split(":") : [];
      const o = await api<Objective>("POST", "/objectives", {
        title,
        level,
        teamId,
        ownerIds,
        committed,
        visibility: isPrivate ? "private" : "public",
        periodId: period.id,
        keyResults: filled.map((k) => ({
          title: k.title,
          type: k.type,
          start: num(k.start),
          target: num(k.target),
          unit: k.unit,
          currency: k.unit === "currency" ? k.currency : null,
          weight: k.weight,
          ownerIds,
        })),
        ...(parentType && parentId && { alignTo: { parentType, parentId } }),
      });
      // Open the new objective at once; what it reaches (lists, trees, the coach) refetches meanwhile.
      onClose();
      await navigate({ to: "/objectives/$objectiveId", params: { objectiveId: o.id } });
      void invalidatePrefixes(queryClient, [
        ...(keysForChange({ type: "objective.created", objectType: "objective" }) ?? []),
        ...(keysForChange({ type: "alignment.created", objectType: "alignment" }) ?? []),
      ]);
    } catch (err) {
      setError(
        // The details say it all when there are any (the message repeats the first of them).
        err instanceof ApiError
          ? (err.details as string[] | null)?.length
            ? (err.details as string[]).join(" ")
            : err.message
          : String(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={t("create.title")}
      size="xl"
      onSubmit={() => void submit()}
      discard={{ dirty: !!title.trim() || filled.length > 0 || parent !== null, question: t("create.discardTitle") }}
    >
      <Select
        label={t("create.template")}
        placeholder={t("create.templatePlaceholder")}
        data={TEMPLATES.map((x) => ({ value: x.id, label: `${x.area}: ${x.title}` }))}
        onChange={applyTemplate}
        searchable
        clearable
      />
      {/* Typing starts in the title (the template list would open over the form on focus). */}
      <TextInput
        data-autofocus
        label={t("common.title")}
        value={title}
        onChange={(e) => setTitle(e.currentTarget.value)}
        required
        // Refused with the reason at the limit, never cut: a pasted title stays whole to be shortened.
        error={
          title.trim().length > TITLE_MAX
            ? t("create.titleTooLong", { max: TITLE_MAX, count: title.trim().length })
            : undefined
        }
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <LevelSelect value={level} onChange={setLevel} allowOrganization={mayAdminister(account)} />
        <TeamSelect
          label={t("common.team")}
          value={teamId}
          onChange={setTeamId}
          clearable
          // A team objective only for a team the person may create it for; any team tags an individual one.
          onlyIds={level === "team" && allowedTeams !== null ? allowedTeams : undefined}
          description={
            level === "team" && allowedTeams !== null
              ? t(settings?.membersCreateTeamOkrs === false ? "create.teamOnlyOwned" : "create.teamOnlyYours")
              : undefined
          }
          error={needsTeam ? t("okrEdit.needsTeam") : (teamRefused ?? undefined)}
        />
        <PeopleMultiSelect
          label={t("common.owners")}
          value={ownerIds}
          onChange={setOwnerIds}
          error={noOwner ? t("create.ownerMissing") : undefined}
        />
      </SimpleGrid>
      <Group>
        <ObjectiveFlags
          committed={committed}
          onCommittedChange={setCommitted}
          isPrivate={isPrivate}
          onPrivateChange={setPrivate}
        />
      </Group>
      <AlignTargetSelect
        label={t("create.alignTo")}
        placeholder={t("create.alignPlaceholder")}
        value={parent}
        onChange={setParent}
        clearable
      />
      <Divider label={t("objective.keyResults")} labelPosition="left" />
      {krs.map((k, i) => (
        <Stack key={k.key} gap={4}>
          <TextInput
            label={`${t("create.kr")} ${i + 1}`}
            value={k.title}
            onChange={(e) => setKr(i, { title: e.currentTarget.value })}
          />
          {/* On a phone the fields wrap onto a second line instead of being squeezed. */}
          <Group align="flex-end" wrap="wrap" gap="xs">
            <Select
              label={t("create.type")}
              data={KR_TYPES.map((x) => ({ value: x, label: t(`krType.${x}`) }))}
              value={k.type}
              onChange={(v) => v && setKr(i, { type: v as KrType })}
              allowDeselect={false}
              w={150}
            />
            <NumberInput
              label={t("create.start")}
              value={k.start}
              onChange={(v) => setKr(i, { start: v === "" ? "" : Number(v) })}
              w={110}
            />
            <NumberInput
              label={t("create.target")}
              value={k.target}
              onChange={(v) => setKr(i, { target: v === "" ? "" : Number(v) })}
              w={110}
            />
            <Select
              label={t("create.unit")}
              data={["number", "percent", "currency"].map((u) => ({ value: u, label: t(`unit.${u}`) }))}
              value={k.unit}
              onChange={(v) => v && setKr(i, { unit: v as KrDraft["unit"] })}
              allowDeselect={false}
              w={120}
            />
            <NumberInput
              label={t("common.weight")}
              value={k.weight}
              min={0}
              onChange={(v) => setKr(i, { weight: Number(v) || 0 })}
              w={90}
              rightSection={
                <Text size="xs">
                  {blank[i] ? "–" : `${totalWeight ? Math.round((k.weight / totalWeight) * 100) : 0}%`}
                </Text>
              }
              rightSectionWidth={40}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={`${t("create.removeKr")} ${i + 1}`}
              onClick={() => setKrs((l) => l.filter((_, j) => j !== i))}
              mb={4}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
          {gaps[i]!.missing.includes("title") && (
            <Text size="xs" c="red" role="alert">
              {t("create.krNoTitle", { n: i + 1 })}
            </Text>
          )}
          {k.title.trim() && rowProblems[i]!.length > 0 && (
            <Text size="xs" c="red" role="alert">
              {rowProblems[i]!.join(" ")}
            </Text>
          )}
          {blank[i] && filled.length > 0 && (
            <Text size="xs" c="dimmed">
              {t("create.blankKr")}
            </Text>
          )}
        </Stack>
      ))}
      <Group>
        <Button variant="subtle" leftSection={<IconPlus size={16} />} onClick={() => setKrs((l) => [...l, blankKr()])}>
          {t("create.addKr")}
        </Button>
      </Group>
      {findings.length > 0 && (
        <Alert color="yellow" title={t("create.coach")}>
          <List size="sm" spacing={2}>
            {findings.map((f) => (
              <CoachFinding key={`${f.checkId}:${f.objectId}`} finding={f} withReason={false} />
            ))}
          </List>
        </Alert>
      )}
      {error && (
        <Text c="red" size="sm" role="alert">
          {error}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {t("common.cancel")}
        </Button>
        {blockers.length ? (
          <DisabledWithReason reason={blockers.join(" ")}>{t("create.submit")}</DisabledWithReason>
        ) : (
          <Button type="submit" loading={busy}>
            {t("create.submit")}
          </Button>
        )}
      </Group>
    </FormDialog>
  );
}
