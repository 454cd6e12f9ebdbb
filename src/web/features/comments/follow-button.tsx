import { Button, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconBell, IconBellOff } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-comments.js";
import { useMe } from "../../lib/queries.js";
import type { Following } from "../../lib/types.js";
import { commentKeys, useFollowing } from "./comment-queries.js";

/**
 * Follow / Unfollow an objective: followers get a notice when it or its key results change.
 * Says why one follows (owner, commenter, chosen). Anyone who may see it may follow it,
 * observers too; a read-only token cannot change it, so the button is not offered.
 */
export function FollowButton({ objectiveId }: { objectiveId: string }) {
  const me = useMe();
  const state = useFollowing(objectiveId);
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (follow: boolean) => api<Following>(follow ? "PUT" : "DELETE", `/objectives/${objectiveId}/following`),
    onSuccess: (next) => queryClient.setQueryData(commentKeys.following(objectiveId), next),
    onError: (err: Error) => notifications.show({ color: "red", message: err.message }),
  });
  if (!state.data || me.data?.access !== "write") return null;
  const { following, reason } = state.data;
  const help = reason ? t(`comments.reason.${reason}`) : t("comments.followHelp");
  return (
    <Tooltip label={help} multiline w={240}>
      <Button
        size="xs"
        variant={following ? "light" : "default"}
        leftSection={following ? <IconBellOff size={14} aria-hidden /> : <IconBell size={14} aria-hidden />}
        loading={change.isPending}
        onClick={() => change.mutate(!following)}
      >
        {following ? t("comments.unfollow") : t("comments.follow")}
      </Button>
    </Tooltip>
  );
}
