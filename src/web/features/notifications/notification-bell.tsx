/**
 * The notification centre in the header: a bell with the unread count, opening my notices
 * newest first (more on demand). Opening one marks it read and goes where it points; live
 * `notification.*` events refetch the list (live-keys.ts).
 */
import {
  ActionIcon,
  Box,
  Button,
  Center,
  Group,
  Indicator,
  Loader,
  Popover,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from "@mantine/core";
import { IconBell } from "@tabler/icons-react";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "@tanstack/react-router";
import { useState } from "react";
import { api, get } from "../../lib/api.js";
import { dateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { keys, withQuery } from "../../lib/queries.js";
import type { Notice, NoticePage } from "../../lib/types.js";

const PAGE = 20;

/** My notices, a page at a time; the first page also carries the unread count. */
function useNotices() {
  return useInfiniteQuery({
    queryKey: [...keys.notifications, "pages"],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      get<NoticePage>(withQuery("/notifications", { limit: String(PAGE), cursor: pageParam || undefined })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** A path inside this app (a notice's link); anything else is not followed. */
function isAppPath(link: string): boolean {
  return link.startsWith("/") && !link.startsWith("//") && !link.startsWith("/\\");
}

function NoticeItem({ notice, onOpen }: { notice: Notice; onOpen: (n: Notice) => void }) {
  const unread = notice.readAt === null;
  return (
    <UnstyledButton
      onClick={() => onOpen(notice)}
      className="notice-item"
      data-unread={unread || undefined}
      px="sm"
      py={8}
      w="100%"
    >
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Box
          aria-hidden
          mt={7}
          w={8}
          h={8}
          style={{
            flexShrink: 0,
            borderRadius: "50%",
            background: unread ? "var(--mantine-color-teal-7)" : "transparent",
          }}
        />
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text size="sm" fw={unread ? 700 : 400} lineClamp={2}>
            {unread && <VisuallyHidden>{`${t("notices.unread")}: `}</VisuallyHidden>}
            {notice.title}
          </Text>
          {notice.body && (
            <Text size="xs" c="dimmed" lineClamp={2}>
              {notice.body}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {dateTime(notice.createdAt)}
          </Text>
        </Stack>
      </Group>
    </UnstyledButton>
  );
}

export function NotificationBell() {
  const [opened, setOpened] = useState(false);
  const queryClient = useQueryClient();
  const router = useRouter();
  const notices = useNotices();
  const pages = notices.data?.pages ?? [];
  const items = pages.flatMap((p) => p.items);
  const unread = pages[0]?.unread ?? 0;
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.notifications });
  const markRead = useMutation({
    mutationFn: (body: { ids: string[] } | { all: true }) =>
      api<{ marked: number }>("POST", "/notifications/read", body),
    onSuccess: refresh,
  });
  const open = (n: Notice) => {
    setOpened(false);
    if (n.readAt === null) markRead.mutate({ ids: [n.id] });
    if (isAppPath(n.link)) void router.history.push(n.link);
  };
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-end"
      width={380}
      shadow="md"
      trapFocus
      returnFocus
      styles={{ dropdown: { maxWidth: "calc(100vw - 16px)", padding: 0 } }}
    >
      <Indicator
        // The button's name says the count; the badge is for the eyes only.
        label={<span aria-hidden>{unread > 99 ? "99+" : unread}</span>}
        disabled={unread === 0}
        size={18}
        offset={4}
        color="red.8"
      >
        {/* Popover.Target names the button as opening a dialog and says whether it is open. */}
        <Popover.Target>
          <ActionIcon
            variant="default"
            size="lg"
            onClick={() => setOpened((o) => !o)}
            aria-label={t("notices.bell", { count: unread })}
          >
            <IconBell size={18} aria-hidden />
          </ActionIcon>
        </Popover.Target>
      </Indicator>
      <Popover.Dropdown role="dialog" aria-label={t("notices.title")}>
        <Group justify="space-between" px="sm" py="xs" className="notice-head">
          <Text fw={700} component="h2" size="md" m={0}>
            {t("notices.title")}
          </Text>
          <Button
            size="compact-sm"
            variant="subtle"
            disabled={unread === 0}
            loading={markRead.isPending && !("ids" in (markRead.variables ?? {}))}
            onClick={() => markRead.mutate({ all: true })}
          >
            {t("notices.markAllRead")}
          </Button>
        </Group>
        <ScrollArea.Autosize mah="min(480px, 70vh)" type="auto">
          {notices.isPending ? (
            <Center py="lg" role="status" aria-label={t("common.loading")}>
              <Loader size="sm" aria-hidden />
            </Center>
          ) : notices.isError ? (
            <Text size="sm" c="red.8" p="sm" role="alert">
              {t("notices.loadError")}
            </Text>
          ) : items.length === 0 ? (
            <Text size="sm" c="dimmed" p="sm">
              {t("notices.none")}
            </Text>
          ) : (
            <Box component="ul" m={0} p={0} style={{ listStyle: "none" }} aria-label={t("notices.title")}>
              {items.map((n) => (
                <li key={n.id}>
                  <NoticeItem notice={n} onOpen={open} />
                </li>
              ))}
            </Box>
          )}
          {notices.hasNextPage && (
            <Center py="xs">
              <Button
                variant="default"
                size="xs"
                loading={notices.isFetchingNextPage}
                onClick={() => void notices.fetchNextPage()}
              >
                {t("list.loadMore")}
              </Button>
            </Center>
          )}
        </ScrollArea.Autosize>
        {items.length > 0 && unread === 0 && (
          <Text size="xs" c="dimmed" ta="center" py={6} className="notice-foot">
            {t("notices.allRead")}
          </Text>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
