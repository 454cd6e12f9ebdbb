/** The top risks: objectives and key results behind or at risk now, worst first, with owners and objectives. */
import { Card, Stack, Table, Text, Title } from "@mantine/core";
import { ProgressMeter } from "../../components/progress-meter.js";
import { StatusBadge } from "../../components/status-badge.js";
import { t } from "../../lib/i18n.js";
import type { Dashboard } from "./dashboard-data.js";
import { ItemSummary } from "./dashboard-item.js";

export function TopRisksCard({ dashboard }: { dashboard: Dashboard }) {
  return (
    <Card withBorder component="section" aria-labelledby="risks-title">
      <Title order={3} size="h5" mb="sm" id="risks-title">
        {t("dashboard.risks")}
      </Title>
      {dashboard.topRisks.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("dashboard.noRisks")}
        </Text>
      ) : (
        <Table data-testid="top-risks" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("dashboard.item")}</Table.Th>
              <Table.Th scope="col" w={140}>
                {t("common.progress")}
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {dashboard.topRisks.map((r) => (
              <Table.Tr key={`${r.type}:${r.id}`}>
                <Table.Td>
                  <ItemSummary item={r} />
                </Table.Td>
                <Table.Td>
                  <Stack gap={4}>
                    <StatusBadge status={r.status} />
                    <ProgressMeter
                      progress={r.progress}
                      expected={r.expectedProgress}
                      status={r.status}
                      label={`${t("common.progress")}: ${r.title}`}
                    />
                  </Stack>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
