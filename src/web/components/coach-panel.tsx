import { Button, Card, Group, List, Text, Title } from "@mantine/core";
import { useDisclosure, useMediaQuery } from "@mantine/hooks";
import { t } from "../lib/i18n.js";
import { useCoach } from "../lib/queries.js";
import { CoachFinding } from "./coach-finding.js";
import { PHONE_QUERY } from "./table-frame.js";

/**
 * The coach's findings for the objectives in view (the first 200) and their key results, with
 * the reason behind each: asked of the server for those objectives only. With `collapseOnPhone`,
 * a phone shows one line ("Coach: 13 findings — Show") so what follows stays in reach.
 */
export function CoachPanel({
  periodId,
  objectiveIds,
  limit = 12,
  collapseOnPhone = false,
}: {
  periodId: string | undefined;
  objectiveIds: readonly string[];
  limit?: number;
  collapseOnPhone?: boolean;
}) {
  const inView = objectiveIds.slice(0, 200);
  const coach = useCoach(periodId, undefined, inView);
  const findings = inView.length ? (coach.data?.items ?? []) : [];
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  const [expanded, { toggle }] = useDisclosure(false);
  const collapsible = collapseOnPhone && phone && findings.length > 0;
  if (collapsible && !expanded) {
    return (
      <Card withBorder component="section" aria-labelledby="coach-heading" py="xs">
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Title order={3} size="h6" id="coach-heading">
            {t("coach.collapsed", { count: findings.length })}
          </Title>
          <Button variant="subtle" size="compact-sm" onClick={toggle} aria-expanded={false}>
            {t("coach.show")}
          </Button>
        </Group>
      </Card>
    );
  }
  return (
    <Card withBorder component="section" aria-labelledby="coach-heading">
      <Group justify="space-between" wrap="nowrap" mb="xs">
        <Title order={3} size="h5" id="coach-heading">
          {t("objective.coach")}
        </Title>
        {collapsible && (
          <Button variant="subtle" size="compact-sm" onClick={toggle} aria-expanded>
            {t("coach.hide")}
          </Button>
        )}
      </Group>
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
