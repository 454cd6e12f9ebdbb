import { Card, List, Text, Title } from "@mantine/core";
import { t } from "../lib/i18n.js";
import { useCoach } from "../lib/queries.js";
import { CoachFinding } from "./coach-finding.js";

/**
 * The coach's findings for the objectives in view (the first 200) and their key results, with
 * the reason behind each: asked of the server for those objectives only.
 */
export function CoachPanel({
  periodId,
  objectiveIds,
  limit = 12,
}: {
  periodId: string | undefined;
  objectiveIds: readonly string[];
  limit?: number;
}) {
  const inView = objectiveIds.slice(0, 200);
  const coach = useCoach(periodId, undefined, inView);
  const findings = inView.length ? (coach.data?.items ?? []) : [];
  return (
    <Card withBorder component="section" aria-labelledby="coach-heading">
      <Title order={3} size="h5" mb="xs" id="coach-heading">
        {t("objective.coach")}
      </Title>
      {inView.length > 0 && coach.isPending ? (
        <Text size="sm" c="dimmed">
          {t("common.loading")}
        </Text>
      ) : findings.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("coach.none")}
        </Text>
      ) : (
        <List spacing={6} size="sm">
          {findings.slice(0, limit).map((f) => (
            <CoachFinding key={`${f.checkId}:${f.objectId}`} finding={f} />
          ))}
        </List>
      )}
      {findings.length > limit && (
        <Text size="xs" c="dimmed" mt="xs">
          {t("coach.more", { count: findings.length - limit })}
        </Text>
      )}
    </Card>
  );
}
