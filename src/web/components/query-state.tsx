import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { ApiError } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import { NotFound } from "./not-found.js";

/** What QueryState reads of a query (plain and paged queries alike). */
export interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  data: T | undefined;
  refetch: () => unknown;
}

/**
 * Loading, error and empty states for a query; renders `children` with the data. `empty`: words
 * shown as a dimmed line, or an element shown as it is.
 */
export function QueryState<T>({
  query,
  isEmpty,
  empty,
  children,
}: {
  query: QueryLike<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return (
      <Center py="xl" role="status" aria-live="polite" aria-label={t("common.loading")}>
        <Loader size="sm" aria-hidden />
      </Center>
    );
  }
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.status === 404) return <NotFound what="item" />;
    return (
      <Alert color="red" title={t("common.error")} role="alert">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{query.error?.message}</Text>
          <Button size="xs" variant="light" onClick={() => void query.refetch()}>
            {t("common.retry")}
          </Button>
        </Stack>
      </Alert>
    );
  }
  const data = query.data as T;
  if (isEmpty?.(data)) {
    // Words get the dimmed line; an element (a card with actions) is its own layout.
    if (empty !== undefined && typeof empty !== "string") return <>{empty}</>;
    return (
      <Text c="dimmed" py="md">
        {empty ?? t("common.empty")}
      </Text>
    );
  }
  return <>{children(data)}</>;
}
