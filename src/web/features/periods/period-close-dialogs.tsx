/**
 * Closing and reopening a whole period, safely: the close dialog first shows what the server
 * says the close will do (counts, drafts, each objective's suggested score) and asks for the
 * period's name; the reopen dialog says how many objectives come back.
 */
import { Alert, Badge, Button, Group, List, Modal, Stack, Table, Text, TextInput } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { QueryState } from "../../components/query-state.js";
import { api, get } from "../../lib/api.js";
import { percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-periods.js";
import { invalidateForChange } from "../../lib/live.js";
import type { Period } from "../../lib/types.js";

export type ClosePreview = import("../../lib/types.js").PeriodClosePreview;

export interface CloseSummary {
  objectivesClosed: number;
  objectivesTotal: number;
  averageScore: number | null;
  grades: { red: number; yellow: number; green: number };
}

/** How many objectives the dialog lists before "and N more". */
const LISTED = 50;

const previewKey = (periodId: string) => ["objectives", "closePreview", periodId] as const;
const score = (s: number | null) => (s === null ? "—" : s.toFixed(1));

export function useClosePreview(periodId: string, enabled: boolean) {
  return useQuery({
    queryKey: previewKey(periodId),
    queryFn: () => get<ClosePreview>(`/periods/${periodId}/close-preview`),
    enabled,
  });
}

function PreviewBody({ p }: { p: ClosePreview }) {
  const toClose = p.items.filter((i) => i.state !== "closed");
  return (
    <Stack gap="sm">
      {p.objectives.toClose === 0 ? (
        <Text size="sm">{t("closing.nothingToClose")}</Text>
      ) : (
        <Text fw={600}>
          {t("closing.objectivesToClose", { count: p.objectives.toClose })}{" "}
          {t("closing.keyResultsToClose", { count: p.keyResults.toClose })}
        </Text>
      )}
      <List size="sm" spacing={4}>
        {p.objectives.drafts > 0 && <List.Item>{t("closing.drafts", { count: p.objectives.drafts })}</List.Item>}
        {p.objectives.alreadyClosed > 0 && (
          <List.Item>{t("closing.alreadyClosed", { count: p.objectives.alreadyClosed })}</List.Item>
        )}
        {p.averageSuggestedScore !== null && (
          <List.Item>{t("closing.averageSuggested", { score: score(p.averageSuggestedScore) })}</List.Item>
        )}
      </List>
      {p.objectives.toClose > 0 && <Text size="sm">{t("closing.whatHappens")}</Text>}
      {toClose.length > 0 && (
        <Table.ScrollContainer minWidth={420} mah={320}>
          <Table striped verticalSpacing={4} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("closing.objective")}</Table.Th>
                <Table.Th>{t("common.progress")}</Table.Th>
                <Table.Th>{t("closing.suggested")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {toClose.slice(0, LISTED).map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>
                    {i.title}{" "}
                    {i.state === "draft" && (
                      <Badge size="xs" variant="outline" color="gray">
                        {t("closing.draft")}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{percent(i.progress)}</Table.Td>
                  <Table.Td>{score(i.suggestedScore)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {toClose.length > LISTED && (
        <Text size="xs" c="dimmed">
          {t("closing.more", { count: toClose.length - LISTED })}
        </Text>
      )}
    </Stack>
  );
}

/** Shows what closing the period does, then closes it once its name is typed. */
export function PeriodCloseDialog({
  period,
  opened,
  onClose,
  onClosed,
}: {
  period: Period;
  opened: boolean;
  onClose: () => void;
  onClosed: (s: CloseSummary) => void;
}) {
  const queryClient = useQueryClient();
  const small = useMediaQuery("(max-width: 36em)");
  const preview = useClosePreview(period.id, opened);
  const [typed, setTyped] = useState("");
  const close = useMutation({
    mutationFn: () => api<CloseSummary>("POST", `/periods/${period.id}/close`, {}),
    onSuccess: async (s) => {
      await invalidateForChange(queryClient, { type: "period.closed", objectType: "period" });
      setTyped("");
      onClosed(s);
      onClose();
    },
  });
  const count = preview.data?.objectives.toClose ?? 0;
  const matches = typed.trim() === period.name.trim();
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={t("closing.previewTitle", { period: period.name })}
      size="lg"
      fullScreen={!!small}
      closeButtonProps={{ "aria-label": t("common.close") }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (matches && preview.data) close.mutate();
        }}
      >
        <Stack>
          <QueryState query={preview}>{(p) => <PreviewBody p={p} />}</QueryState>
          <TextInput
            label={t("closing.confirmLabel")}
            description={t("closing.confirmHint", { name: period.name })}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
          {close.error && (
            <Alert color="red" title={t("closing.failed")} role="alert">
              {close.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" color="red" disabled={!matches || !preview.data} loading={close.isPending}>
              {count > 0 ? t("closing.confirm", { count }) : t("closing.confirmPeriodOnly")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Asks before reopening a closed period, saying how many objectives come back. */
export function PeriodReopenDialog({
  period,
  opened,
  onClose,
}: {
  period: Period;
  opened: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const preview = useClosePreview(period.id, opened);
  const reopen = useMutation({
    mutationFn: () => api<{ objectivesReopened: number }>("POST", `/periods/${period.id}/reopen`),
    onSuccess: async (r) => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("closing.reopened", { count: r.objectivesReopened }),
      });
      await invalidateForChange(queryClient, { type: "period.reopened", objectType: "period" });
      onClose();
    },
  });
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={t("closing.reopenTitle", { period: period.name })}
      closeButtonProps={{ "aria-label": t("common.close") }}
      centered
    >
      <Stack>
        <QueryState query={preview}>
          {(p) => (
            <Text size="sm">
              {p.reopens > 0 ? t("closing.reopenCount", { count: p.reopens }) : t("closing.reopenNone")}
            </Text>
          )}
        </QueryState>
        <Text size="sm">{t("closing.reopenKeeps")}</Text>
        {reopen.error && (
          <Alert color="red" title={t("closing.reopenFailed")} role="alert">
            {reopen.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button onClick={() => reopen.mutate()} loading={reopen.isPending} disabled={!preview.data}>
            {t("closing.reopenConfirm")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
