import { Button, Center } from "@mantine/core";
import { useIntersection } from "@mantine/hooks";
import { useEffect } from "react";
import { t } from "../lib/i18n.js";

/**
 * The end of a paged list: loads the next page when it scrolls into view (infinite scroll),
 * and offers a button for keyboards and for when the observer cannot tell.
 */
export function LoadMore({
  hasMore,
  loading,
  onLoad,
  auto = true,
}: {
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
  /** Load as soon as the end is in view (default), or only on the button. */
  auto?: boolean;
}) {
  const { ref, entry } = useIntersection({ rootMargin: "400px" });
  const visible = !!entry?.isIntersecting;
  useEffect(() => {
    if (auto && visible && hasMore && !loading) onLoad();
  }, [auto, visible, hasMore, loading, onLoad]);
  if (!hasMore) return null;
  return (
    <Center ref={ref} py="sm">
      <Button variant="default" size="xs" onClick={onLoad} loading={loading}>
        {t("list.loadMore")}
      </Button>
    </Center>
  );
}
