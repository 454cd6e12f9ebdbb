import { Badge, Group, List, Text } from "@mantine/core";
import { inOurWords, t } from "../lib/i18n.js";
import type { Finding } from "../lib/types.js";

const SEVERITY_COLOR = { error: "red", warn: "yellow", info: "blue" } as const;

/** The name of a coach check in plain words; an id this version does not know reads as a suggestion. */
export function checkName(checkId: string): string {
  const key = `coach.checks.${checkId}`;
  const name = t(key);
  return name === key ? t("coach.checks.other") : name;
}

/** One finding of the coach: what it is called, what to do, and why (in the organisation's words). */
export function CoachFinding({ finding, withReason = true }: { finding: Finding; withReason?: boolean }) {
  const severity = finding.severity as keyof typeof SEVERITY_COLOR;
  return (
    <List.Item>
      <Group gap={6} wrap="wrap" component="span">
        <Text span size="sm" fw={600}>
          {checkName(finding.checkId)}
        </Text>
        {SEVERITY_COLOR[severity] && (
          <Badge size="xs" variant="light" color={SEVERITY_COLOR[severity]}>
            {t(`coach.severity.${severity}`)}
          </Badge>
        )}
      </Group>
      <Text size="sm">{inOurWords(finding.message)}</Text>
      {withReason && (
        <Text size="xs" c="dimmed">
          {inOurWords(finding.reason)}
        </Text>
      )}
    </List.Item>
  );
}
