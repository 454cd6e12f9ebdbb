import { Card, List, Text, Title } from "@mantine/core";
import { t } from "../lib/i18n.js";
import { useCoach } from "../lib/queries.js";
import { CoachFinding } from "./coach-finding.js";

/** The coach's findings for the objects in view (objectives and their key results), with the reason behind each. */
export function CoachPanel({
  periodId,
  objectIds,
  limit = 12,
}: {
  periodId: string | undefined;
  objectIds: ReadonlySet<string>;
  limit?: number;
}) {
  const coach = useCoach(periodId);
  const findings = (coach.data?.items ?? []).filter((f) => objectIds.has(f.objectId));
  return (
    <Card withBorder component="section" aria-labelledby="coach-heading">
      <Title order={3} size="h5" mb="xs" id="coach-heading">
        {t("objective.coach")}
      </Title>
      {coach.isPending ? (
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
