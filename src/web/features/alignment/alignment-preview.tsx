/**
 * The preview of an alignment change (POST /alignments/preview): each parent's progress and
 * status before and after, asked of the server as the change is edited (debounced), so the
 * figures are the ones saving will produce.
 */
import { Alert, Badge, Group, Loader, Stack, Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import type { Status } from "../../../domain/types.js";
import { StatusBadge } from "../../components/status-badge.js";
import { api } from "../../lib/api.js";
import { percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";

/** The change, as the preview request takes it. */
export type AlignmentChange =
  | {
      action: "add";
      childType: string;
      childId: string;
      parentType: string;
      parentId: string;
      weight?: number;
      contributes: boolean;
    }
  | { action: "update"; alignmentId: string; weight?: number; contributes?: boolean }
  | { action: "approve"; alignmentId: string; weight?: number }
  | { action: "remove"; alignmentId: string };

interface Figures {
  progress: number | null;
  status: Status;
}

/** The answer of POST /alignments/preview, as the contract declares it. */
export type AlignmentPreview = import("../../lib/types.js").AlignmentPreview;

const DEBOUNCE_MS = 300;

/** The server's preview of `change` (null: nothing to preview yet), asked again once edits pause. */
export function useAlignmentPreview(change: AlignmentChange | null) {
  const [debounced] = useDebouncedValue(change, DEBOUNCE_MS);
  // Until the pause, the shown preview is of an older change: say so rather than show stale figures.
  const settled = JSON.stringify(debounced) === JSON.stringify(change);
  const query = useQuery({
    // Not under `alignments`: saving must not refetch the preview of the change just made (now refused as done).
    queryKey: ["alignmentPreview", debounced],
    enabled: debounced !== null,
    retry: false,
    queryFn: () => api<AlignmentPreview>("POST", "/alignments/preview", debounced),
  });
  return { query, settled };
}

function Before({ before, after }: { before: Figures; after: Figures }) {
  const same = before.progress === after.progress && before.status === after.status;
  return (
    <Group gap={6} wrap="wrap">
      <Text
        size="sm"
        fw={600}
        aria-label={t("alignEdit.fromTo", { before: percent(before.progress), after: percent(after.progress) })}
      >
        {percent(before.progress)} → {percent(after.progress)}
      </Text>
      <StatusBadge status={before.status} />
      <Text span size="sm" aria-hidden>
        →
      </Text>
      <StatusBadge status={after.status} />
      {same && (
        <Badge variant="outline" color="gray" radius="sm">
          {t("alignEdit.noChange")}
        </Badge>
      )}
    </Group>
  );
}

/** What the change does to each parent, nearest first; or why it cannot be made. */
export function AlignmentPreviewPanel({
  preview,
  emptyText,
}: {
  preview: ReturnType<typeof useAlignmentPreview> | null;
  emptyText: string;
}) {
  const query = preview?.query;
  return (
    <Stack gap="xs" aria-live="polite">
      <Text size="sm" fw={700}>
        {t("alignEdit.preview")}
      </Text>
      {!query || (!query.data && !query.error && !query.isFetching) ? (
        <Text size="sm" c="dimmed">
          {emptyText}
        </Text>
      ) : query.error ? (
        <Alert color="red" title={t("alignEdit.refused")}>
          {query.error.message}
        </Alert>
      ) : !query.data || !preview.settled || query.isFetching ? (
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            {t("alignEdit.previewLoading")}
          </Text>
        </Group>
      ) : (
        <>
          {query.data.outcome === "pending" && (
            <Alert color="yellow" title={t("alignEdit.pendingTitle")}>
              {t("alignEdit.pendingText")}
            </Alert>
          )}
          {query.data.parents.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t("alignEdit.nothingVisible")}
            </Text>
          ) : (
            <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {query.data.parents.map((p) => (
                <li key={`${p.type}:${p.id}`} style={{ paddingLeft: `${Math.min(p.depth, 3) * 12}px` }}>
                  <Text size="sm" style={{ overflowWrap: "anywhere" }}>
                    {p.depth > 0 && (
                      <Text span size="xs" c="dimmed">
                        {t("alignEdit.furtherUp")}{" "}
                      </Text>
                    )}
                    {p.title}
                  </Text>
                  <Before before={p.before} after={p.after} />
                </li>
              ))}
            </Stack>
          )}
        </>
      )}
    </Stack>
  );
}
