/**
 * Data hooks of comments and following. Keys start with "comments" and "following", the
 * resources live events of comments, reactions and follows reach (live-keys.ts).
 */
import { useQuery } from "@tanstack/react-query";
import { get } from "../../lib/api.js";
import { useInfiniteList } from "../../lib/queries.js";
import type { Comment, Following } from "../../lib/types.js";

export type CommentObjectType = Comment["objectType"];

export const commentKeys = {
  comments: ["comments"] as const,
  thread: (objectType: CommentObjectType, objectId: string) => ["comments", objectType, objectId] as const,
  following: (objectiveId: string) => ["following", objectiveId] as const,
};

/** A thread, oldest first, 50 at a time. */
export function useThread(objectType: CommentObjectType, objectId: string) {
  return useInfiniteList<Comment>(commentKeys.thread(objectType, objectId), "/comments", { objectType, objectId });
}

/** Whether the signed-in person follows an objective, and why. */
export const useFollowing = (objectiveId: string) =>
  useQuery({
    queryKey: commentKeys.following(objectiveId),
    queryFn: () => get<Following>(`/objectives/${objectiveId}/following`),
  });
