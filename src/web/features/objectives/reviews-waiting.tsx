/**
 * "Waiting for my review" on My OKRs (#12): the drafts in review whose reviewer I am, each
 * linking to its page (where the review panel has Approve and Send back). Hidden when none wait.
 */
import { Card, Group, Stack, Text, Title } from "@mantine/core";
import { AppLink } from "../../components/app-link.js";
import { OwnerNames } from "../../components/owner-names.js";
import { dateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-review.js";
import { useReviewsWaiting } from "../../lib/queries.js";

export function ReviewsWaiting() {
  const waiting = useReviewsWaiting();
  const items = waiting.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="reviews-waiting-heading">
      <Title order={3} size="h4" id="reviews-waiting-heading" mb="xs">
        {t("review.waiting.title")} ({items.length})
      </Title>
      <Card withBorder>
        <Stack gap="xs">
          {items.map((o) => (
            <Group key={o.id} justify="space-between" wrap="wrap" gap="xs">
              <Stack gap={0} style={{ minWidth: 0, flex: 1 }}>
                <AppLink to="/objectives/$objectiveId" params={{ objectiveId: o.id }} fw={500}>
                  {o.title}
                </AppLink>
                <Text size="xs" c="dimmed">
                  {t(`level.${o.level}`)} · {t("review.waiting.submitted", { when: dateTime(o.submittedAt) })}
                </Text>
              </Stack>
              <OwnerNames ids={o.ownerIds} />
            </Group>
          ))}
          {waiting.data?.truncated && (
            <Text size="xs" c="dimmed">
              {t("review.waiting.more")}
            </Text>
          )}
        </Stack>
      </Card>
    </section>
  );
}
