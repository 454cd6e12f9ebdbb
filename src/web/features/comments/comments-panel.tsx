import { ActionIcon, Button, Card, Group, Menu, Stack, Text, Title, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconMoodPlus } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { bodyParts, REACTION_EMOJI } from "../../../domain/mentions.js";
import { QueryState } from "../../components/query-state.js";
import { api } from "../../lib/api.js";
import { dateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-comments.js";
import { invalidateForChange } from "../../lib/live.js";
import { mayContribute } from "../../lib/permissions.js";
import { useMe } from "../../lib/queries.js";
import type { Comment } from "../../lib/types.js";
import { type CommentObjectType, useThread } from "./comment-queries.js";
import { MentionEditor } from "./mention-editor.js";
import { bodyToSend, editableText, type Picked } from "./mention-text.js";
import { useLocationHash } from "./use-location-hash.js";

/** The body with each mention shown as the person's current name. */
function CommentBody({ comment }: { comment: Comment }) {
  const names = new Map(comment.mentions.map((m) => [m.id, m.name]));
  return (
    <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
      {bodyParts(comment.body).map((p, i) =>
        "text" in p ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one body never reorder
          <span key={i}>{p.text}</span>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <Text key={i} span className="okra-mention">
            @{names.get(p.mention.id) ?? p.mention.name}
          </Text>
        ),
      )}
    </Text>
  );
}

/** A refetch of the thread after a change of ours (live events bring the others'). */
function useRefresh() {
  const queryClient = useQueryClient();
  return () => invalidateForChange(queryClient, { type: "comment.updated", objectType: "comment" });
}

const failed = (err: Error) =>
  notifications.show({ color: "red", message: t("comments.failed", { message: err.message }) });

function Reactions({ comment, canReact }: { comment: Comment; canReact: boolean }) {
  const refresh = useRefresh();
  const react = useMutation({
    mutationFn: ({ emoji, on }: { emoji: string; on: boolean }) =>
      api<Comment>(on ? "PUT" : "DELETE", `/comments/${comment.id}/reactions/${encodeURIComponent(emoji)}`),
    onSuccess: () => void refresh(),
    onError: failed,
  });
  if (comment.reactions.length === 0 && !canReact) return null;
  return (
    <Group gap={4} wrap="wrap">
      {comment.reactions.map((r) => (
        <Button
          key={r.emoji}
          size="compact-xs"
          variant={r.mine ? "light" : "default"}
          radius="xl"
          disabled={!canReact || react.isPending}
          aria-pressed={r.mine}
          aria-label={t("comments.reactionLabel", {
            emoji: r.emoji,
            count: r.count,
            action: r.mine
              ? t("comments.reactionRemove", { emoji: r.emoji })
              : t("comments.reactionAdd", { emoji: r.emoji }),
          })}
          onClick={() => react.mutate({ emoji: r.emoji, on: !r.mine })}
        >
          {r.emoji} {r.count}
        </Button>
      ))}
      {canReact && (
        <Menu position="bottom-start" withinPortal>
          <Menu.Target>
            <Tooltip label={t("comments.react")}>
              <ActionIcon variant="subtle" color="gray" size="sm" aria-label={t("comments.react")}>
                <IconMoodPlus size={16} aria-hidden />
              </ActionIcon>
            </Tooltip>
          </Menu.Target>
          <Menu.Dropdown>
            <Group gap={2} p={2}>
              {REACTION_EMOJI.map((emoji) => {
                const mine = comment.reactions.some((r) => r.emoji === emoji && r.mine);
                return (
                  <Menu.Item
                    key={emoji}
                    w="auto"
                    px={6}
                    aria-label={mine ? t("comments.reactionRemove", { emoji }) : t("comments.reactionAdd", { emoji })}
                    onClick={() => react.mutate({ emoji, on: !mine })}
                  >
                    {emoji}
                  </Menu.Item>
                );
              })}
            </Group>
          </Menu.Dropdown>
        </Menu>
      )}
    </Group>
  );
}

/** Writing a new comment, or editing one (`editing`). */
function CommentForm({
  objectType,
  objectId,
  editing,
  onDone,
}: {
  objectType: CommentObjectType;
  objectId: string;
  editing?: Comment;
  onDone?: () => void;
}) {
  const refresh = useRefresh();
  const start = editing
    ? editableText(editing.body, new Map(editing.mentions.map((m) => [m.id, m.name])))
    : { text: "", picked: new Map() as Picked };
  const [text, setText] = useState(start.text);
  const [picked, setPicked] = useState<Picked>(start.picked);
  const save = useMutation({
    mutationFn: () => {
      const body = bodyToSend(text.trim(), picked);
      return editing
        ? api<Comment>("PATCH", `/comments/${editing.id}`, { body, version: editing.version })
        : api<Comment>("POST", "/comments", { objectType, objectId, body });
    },
    onSuccess: () => {
      setText("");
      setPicked(new Map());
      void refresh();
      onDone?.();
    },
    onError: failed,
  });
  const submit = () => {
    if (text.trim() && !save.isPending) save.mutate();
  };
  return (
    <Stack gap="xs">
      <MentionEditor
        value={text}
        onChange={setText}
        picked={picked}
        onPick={setPicked}
        label={editing ? t("comments.editLabel") : t("comments.label")}
        autoFocus={!!editing}
        onSubmitShortcut={submit}
      />
      <Group gap="xs" justify="flex-end">
        {editing && (
          <Button variant="default" size="xs" onClick={onDone}>
            {t("comments.cancel")}
          </Button>
        )}
        <Button size="xs" onClick={submit} loading={save.isPending} disabled={!text.trim()}>
          {editing ? t("comments.save") : t("comments.post")}
        </Button>
      </Group>
    </Stack>
  );
}

function CommentItem({ comment, canReact }: { comment: Comment; canReact: boolean }) {
  const [editing, setEditing] = useState(false);
  const refresh = useRefresh();
  const remove = useMutation({
    mutationFn: () => api("DELETE", `/comments/${comment.id}`),
    onSuccess: () => void refresh(),
    onError: failed,
  });
  return (
    <Stack gap={4} component="li" id={`comment-${comment.id}`} className="okra-comment">
      <Group gap="xs" justify="space-between" wrap="wrap">
        <Group gap={6} wrap="wrap">
          <Text size="sm" fw={600}>
            {comment.author.name}
          </Text>
          <Text size="xs" c="dimmed">
            {dateTime(comment.createdAt)}
          </Text>
          {comment.editedAt && (
            <Tooltip label={t("comments.editedAt", { at: dateTime(comment.editedAt) })}>
              <Text size="xs" c="dimmed" fs="italic">
                ({t("comments.edited")})
              </Text>
            </Tooltip>
          )}
        </Group>
        {!editing && (comment.canEdit || comment.canDelete) && (
          <Group gap={2}>
            {comment.canEdit && (
              <Button size="compact-xs" variant="subtle" onClick={() => setEditing(true)}>
                {t("comments.edit")}
              </Button>
            )}
            {comment.canDelete && (
              <Button
                size="compact-xs"
                variant="subtle"
                color="red"
                loading={remove.isPending}
                onClick={() => window.confirm(t("comments.deleteConfirm")) && remove.mutate()}
              >
                {t("comments.delete")}
              </Button>
            )}
          </Group>
        )}
      </Group>
      {editing ? (
        <CommentForm
          objectType={comment.objectType}
          objectId={comment.objectId}
          editing={comment}
          onDone={() => setEditing(false)}
        />
      ) : (
        <CommentBody comment={comment} />
      )}
      <Reactions comment={comment} canReact={canReact} />
    </Stack>
  );
}

/**
 * The comments on an objective, a key result or a check-in: the thread oldest first (more on
 * demand), reactions, editing and deleting one's own, and a box to add one with @mentions.
 * Observers read only. A link to `#comment-<id>` scrolls to that comment once it is shown.
 */
export function CommentsPanel({
  objectType,
  objectId,
  title,
  bare = false,
}: {
  objectType: CommentObjectType;
  objectId: string;
  /** The heading (default "Comments (n)"; "" for none: the dialog's title says it). */
  title?: string;
  /** Without its own card (inside a dialog). */
  bare?: boolean;
}) {
  const me = useMe();
  const thread = useThread(objectType, objectId);
  const canWrite = mayContribute(me.data);
  const items = thread.items;
  const ids = items.map((c) => c.id).join(",");
  const hash = useLocationHash();
  useEffect(() => {
    const anchor = hash.slice(1);
    if (!anchor.startsWith("comment-") || !ids.includes(anchor.slice("comment-".length))) return;
    document.getElementById(anchor)?.scrollIntoView({ block: "center" });
  }, [ids, hash]);
  const content = (
    <Stack gap="sm">
      {title !== "" && (
        <Title order={3} size="h5">
          {title ?? (items.length > 0 ? t("comments.titleCount", { count: thread.countLabel }) : t("comments.title"))}
        </Title>
      )}
      <QueryState query={thread.query} isEmpty={() => items.length === 0} empty={t("comments.none")}>
        {() => (
          <Stack gap="md" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
            {items.map((c) => (
              <CommentItem key={c.id} comment={c} canReact={canWrite} />
            ))}
          </Stack>
        )}
      </QueryState>
      {thread.hasMore && (
        <Button variant="default" size="xs" onClick={thread.loadMore} loading={thread.loadingMore}>
          {t("comments.showMore")}
        </Button>
      )}
      {canWrite ? (
        <CommentForm objectType={objectType} objectId={objectId} />
      ) : (
        me.data && (
          <Text size="xs" c="dimmed">
            {t("comments.observerNote")}
          </Text>
        )
      )}
    </Stack>
  );
  return bare ? content : <Card withBorder>{content}</Card>;
}
