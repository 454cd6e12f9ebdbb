/** An objective or key result as the dashboard lists it: a link, with its objective and owners. */
import { Stack, Text } from "@mantine/core";
import { AppLink } from "../../components/app-link.js";
import { t } from "../../lib/i18n.js";
import type { DashboardItem } from "./dashboard-data.js";

export function ItemLink({ item }: { item: DashboardItem }) {
  return item.type === "objective" ? (
    <AppLink to="/objectives/$objectiveId" params={{ objectiveId: item.id }} size="sm" fw={500}>
      {item.title}
    </AppLink>
  ) : (
    <AppLink to="/key-results/$keyResultId" params={{ keyResultId: item.id }} size="sm" fw={500}>
      {item.title}
    </AppLink>
  );
}

/** The item's title, then (smaller) its objective when it is a key result, and its owners. */
export function ItemSummary({ item, withOwners = true }: { item: DashboardItem; withOwners?: boolean }) {
  return (
    <Stack gap={0}>
      <ItemLink item={item} />
      {item.objective && (
        <Text size="xs" c="dimmed">
          {t("dashboard.objectiveOf")}:{" "}
          <AppLink to="/objectives/$objectiveId" params={{ objectiveId: item.objective.id }} size="xs">
            {item.objective.title}
          </AppLink>
        </Text>
      )}
      {withOwners && (
        <Text size="xs" c="dimmed">
          {item.owners.map((o) => o.name).join(", ") || t("common.noOwner")}
        </Text>
      )}
    </Stack>
  );
}
