/**
 * Data hooks over the API (TanStack Query). Keys are grouped by resource (`keys`), so a live
 * event or a write invalidates only the resources it can change (see live-keys.ts).
 *
 * Lists never truncate silently: a list either pages ("load more", `useInfiniteList`) or,
 * when what it holds is bounded by one person or one item (periods, my objectives, one key
 * result's check-ins), loads every page (`fetchAll`).
 */
import {
  type QueryClient,
  type QueryKey,
  useInfiniteQuery,
  useQueries,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import DataLoader from "dataloader";
import { ApiError, auth, get } from "./api.js";
import type {
  Alignment,
  CheckIn,
  Finding,
  KeyResult,
  Me,
  Objective,
  Page,
  Period,
  Review,
  ReviewsWaiting,
  Series,
  Settings,
  Team,
  Tree,
  User,
} from "./types.js";

/** Query parameters; empty values are left out. */
export type Params = Record<string, string | undefined>;

/** The largest page the API gives (`limit` is 1..500). */
export const MAX_PAGE = 500;

const clean = (p: Params): Record<string, string> =>
  Object.fromEntries(Object.entries(p).filter((e): e is [string, string] => !!e[1]));

/** `path?params` with empty values left out. */
export function withQuery(path: string, params: Params): string {
  const s = new URLSearchParams(clean(params)).toString();
  return s ? `${path}?${s}` : path;
}

/** Every key the app uses, by resource: the first element names the resource. */
export const keys = {
  me: ["me"] as const,
  settings: ["settings"] as const,
  periods: ["periods"] as const,
  users: ["users"] as const,
  userList: (q: string) => ["users", "list", q] as const,
  user: (id: string) => ["users", "one", id] as const,
  teams: ["teams"] as const,
  teamList: (q: string) => ["teams", "list", q] as const,
  team: (id: string) => ["teams", "one", id] as const,
  objectives: ["objectives"] as const,
  /** A list paged with "load more". */
  objectivePages: (params: Params) => ["objectives", "pages", clean(params)] as const,
  objectiveCount: (params: Params) => ["objectives", "count", clean(params)] as const,
  /** A list loaded whole (bounded by one person). */
  objectiveAll: (params: Params) => ["objectives", "all", clean(params)] as const,
  objective: (id: string) => ["objectives", "one", id] as const,
  /** Under "objectives": every change to an objective or its key results refetches it. */
  reviewOf: (id: string) => ["objectives", "review", id] as const,
  reviewsWaiting: ["objectives", "reviewsWaiting"] as const,
  keyResults: ["keyResults"] as const,
  keyResult: (id: string) => ["keyResults", id] as const,
  checkIns: ["checkIns"] as const,
  checkInsOf: (keyResultId: string) => ["checkIns", keyResultId] as const,
  alignments: ["alignments"] as const,
  alignmentsOf: (params: Params) => ["alignments", clean(params)] as const,
  initiatives: ["initiatives"] as const,
  initiativesOf: (objectiveId: string) => ["initiatives", objectiveId] as const,
  history: ["history"] as const,
  historyOf: (objectiveId: string) => ["history", objectiveId] as const,
  tree: ["tree"] as const,
  treeOf: (periodId: string | undefined, teamId?: string) => ["tree", periodId, teamId ?? null] as const,
  coach: ["coach"] as const,
  coachOf: (periodId: string | undefined, teamId?: string | undefined, objectiveIds?: readonly string[]) =>
    ["coach", periodId, teamId ?? null, objectiveIds ?? null] as const,
  coachPages: (periodId: string | undefined, teamId: string | undefined) =>
    ["coach", periodId, teamId ?? null, "pages"] as const,
  series: ["series"] as const,
  seriesOf: (periodId: string | undefined, teamId: string | undefined, subTeams = false) =>
    ["series", periodId, teamId ?? null, ...(subTeams ? ["subTeams"] : [])] as const,
  kpis: ["kpis"] as const,
  audit: ["audit"] as const,
  trash: ["trash"] as const,
  /** My notification centre (its pages and the unread count) and how Okra reaches me. */
  notifications: ["notifications"] as const,
  notificationPreferences: ["notificationPreferences"] as const,
};

/** Every page of a list, one request per 500 items (for lists bounded by one person or one item). */
export async function fetchAll<T>(path: string, params: Params = {}): Promise<Page<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await get<Page<T>>(withQuery(path, { ...params, limit: String(MAX_PAGE), cursor }));
    items.push(...page.items);
    if (!page.nextCursor) return { items, nextCursor: null };
    cursor = page.nextCursor;
  }
}

/** Keeps people and teams met in lists in the by-id cache, so their names need no request of their own. */
function remember(queryClient: QueryClient, key: (id: string) => QueryKey, items: { id: string }[]) {
  for (const it of items) queryClient.setQueryData(key(it.id), it);
}

/**
 * A list paged from the server: `items` holds the pages loaded so far; `loadMore` fetches the
 * next. `count` is the true number when every page is in, else what is loaded with "+".
 */
export function useInfiniteList<T>(
  key: QueryKey,
  path: string,
  params: Params,
  options: { pageSize?: number; enabled?: boolean; onPage?: (items: T[]) => void } = {},
) {
  const query = useInfiniteQuery({
    queryKey: key,
    enabled: options.enabled ?? true,
    initialPageParam: "",
    queryFn: async ({ pageParam }) => {
      const page = await get<Page<T>>(
        withQuery(path, { ...params, limit: String(options.pageSize ?? 50), cursor: pageParam || undefined }),
      );
      options.onPage?.(page.items);
      return page;
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return {
    query,
    items,
    hasMore: !!query.hasNextPage,
    loadingMore: query.isFetchingNextPage,
    loadMore: () => {
      if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
    },
    /** Loads every remaining page (an export, a sort over everything). */
    loadAll: async () => {
      let r = await query.fetchNextPage();
      while (r.hasNextPage) r = await query.fetchNextPage();
      return r.data?.pages.flatMap((p) => p.items) ?? [];
    },
    countLabel: `${items.length}${query.hasNextPage ? "+" : ""}`,
  };
}

export const useMe = () => useQuery({ queryKey: keys.me, queryFn: () => auth.me() as Promise<Me> });
/** Every period (an organisation has a few dozen at most: every page is loaded). */
export const usePeriods = () => useQuery({ queryKey: keys.periods, queryFn: () => fetchAll<Period>("/periods") });
export const useSettings = () => useQuery({ queryKey: keys.settings, queryFn: () => get<Settings>("/settings") });

/** People by name, optionally those whose name or email contains `q`, paged. */
export function useUserList(q: string, pageSize = 50, enabled = true) {
  const queryClient = useQueryClient();
  return useInfiniteList<User>(
    keys.userList(q),
    "/users",
    { q: q || undefined },
    {
      pageSize,
      enabled,
      onPage: (items) => remember(queryClient, keys.user, items),
    },
  );
}

/** Teams by name, optionally those whose name contains `q`, paged. */
export function useTeamList(q: string, pageSize = 50, enabled = true) {
  const queryClient = useQueryClient();
  return useInfiniteList<Team>(
    keys.teamList(q),
    "/teams",
    { q: q || undefined },
    {
      pageSize,
      enabled,
      onPage: (items) => remember(queryClient, keys.team, items),
    },
  );
}

const BY_ID_STALE = 5 * 60_000;

/**
 * Loads people or teams by id in batches: the ids asked for in one tick (a page showing 40
 * owners) become one `GET /users?ids=…` instead of 40 requests. No cache of its own: each item
 * is still cached under its own key by TanStack Query.
 */
function byIdLoader<T extends { id: string }>(list: "/users" | "/teams", what: string) {
  return new DataLoader<string, T>(
    async (ids) => {
      const found = new Map<string, T>();
      const page = await get<Page<T>>(`${list}?ids=${ids.map(encodeURIComponent).join(",")}&limit=${ids.length}`);
      for (const item of page.items) found.set(item.id, item);
      return ids.map((id) => found.get(id) ?? new ApiError(404, "NOT_FOUND", `No ${what} with this id.`, null));
    },
    { cache: false, maxBatchSize: 100 },
  );
}

export const userLoader = byIdLoader<User>("/users", "person");
export const teamLoader = byIdLoader<Team>("/teams", "team");

/** Items by id, each cached on its own under `key(id)` (shared with what lists brought in), loaded by `loader`. */
function useLoadedById<T extends { id: string }>(
  ids: readonly string[],
  key: (id: string) => QueryKey,
  loader: DataLoader<string, T>,
) {
  const unique = [...new Set(ids)];
  return useQueries({
    queries: unique.map((id) => ({
      queryKey: key(id),
      queryFn: () => loader.load(id),
      staleTime: BY_ID_STALE,
      retry: false,
    })),
    combine: (results) => {
      const byId = new Map<string, T>();
      for (const r of results) if (r.data) byId.set(r.data.id, r.data);
      return byId;
    },
  });
}

/** People by id (fetched in batches). */
export const useUsersById = (ids: readonly string[]) => useLoadedById(ids, keys.user, userLoader);

/** Teams by id (fetched in batches). */
export const useTeamsById = (ids: readonly string[]) => useLoadedById(ids, keys.team, teamLoader);

/** Objectives by id. */
export function useObjectivesById(ids: readonly string[]) {
  const unique = [...new Set(ids)];
  return useQueries({
    queries: unique.map((id) => ({
      queryKey: keys.objective(id),
      queryFn: () => get<Objective>(`/objectives/${id}`),
      retry: false,
    })),
    combine: (results) => {
      const byId = new Map<string, Objective>();
      for (const r of results) if (r.data) byId.set(r.data.id, r.data);
      return byId;
    },
  });
}

/** Objectives matching filters, paged ("load more"). */
export function useObjectivePages(params: Params, options: { pageSize?: number; enabled?: boolean } = {}) {
  return useInfiniteList<Objective>(keys.objectivePages(params), "/objectives", params, options);
}

/** The query counting the objectives the list gives for `filters` (`GET /objectives/count`). */
export function objectiveCountQuery(filters: Params) {
  return {
    queryKey: keys.objectiveCount(filters),
    queryFn: () => get<{ count: number }>(withQuery("/objectives/count", filters)),
  };
}

/** How many objectives the list gives for these filters, counted by the server (`sort` is left out). */
export function useObjectiveCount(params: Params, enabled = true) {
  const { sort: _sort, ...filters } = params;
  return useQuery({ ...objectiveCountQuery(filters), enabled });
}

/**
 * How many objectives each period holds (for an admin, every live one, as the period's deletion
 * counts them), by period id; a period whose count has not come yet is missing.
 */
export function usePeriodObjectiveCounts(periodIds: readonly string[], enabled = true) {
  return useQueries({
    queries: periodIds.map((periodId) => ({ ...objectiveCountQuery({ periodId }), enabled })),
    combine: (results) => {
      const byId = new Map<string, number>();
      results.forEach((r, i) => {
        const id = periodIds[i];
        if (id !== undefined && r.data) byId.set(id, r.data.count);
      });
      return byId;
    },
  });
}

/** Every objective matching filters bounded by one person (`ownerId`), every page loaded. */
export function useAllObjectives(params: Params, enabled = true) {
  return useQuery({
    queryKey: keys.objectiveAll(params),
    enabled,
    queryFn: () => fetchAll<Objective>("/objectives", params),
  });
}

export const useObjective = (id: string) =>
  useQuery({ queryKey: keys.objective(id), enabled: !!id, queryFn: () => get<Objective>(`/objectives/${id}`) });
export const useKeyResult = (id: string) =>
  useQuery({ queryKey: keys.keyResult(id), enabled: !!id, queryFn: () => get<KeyResult>(`/key-results/${id}`) });
/** A key result's check-ins, every page (one key result's history: its chart needs all of it). */
export const useCheckIns = (id: string) =>
  useQuery({ queryKey: keys.checkInsOf(id), queryFn: () => fetchAll<CheckIn>(`/key-results/${id}/check-ins`) });
/** Alignments with one end named (`childId` or `parentId`), every page. */
export const useAlignments = (params: { childId?: string; parentId?: string }, enabled = true) =>
  useQuery({
    queryKey: keys.alignmentsOf(params),
    enabled,
    queryFn: () => fetchAll<Alignment>("/alignments", params),
  });
/** The period's alignment tree, or one team's part of it. */
export const useTree = (periodId: string | undefined, teamId?: string) =>
  useQuery({
    queryKey: keys.treeOf(periodId, teamId),
    enabled: !!periodId,
    queryFn: () => get<Tree>(withQuery("/tree", { periodId, teamId })),
  });
/**
 * The coach's findings for a period, or for one team's objectives in it; with `objectiveIds`
 * (the objectives in view, at most 200), only theirs: the request costs the page, not the period.
 */
export const useCoach = (
  periodId: string | undefined,
  teamId?: string | undefined,
  objectiveIds?: readonly string[] | undefined,
) =>
  useQuery({
    queryKey: keys.coachOf(periodId, teamId, objectiveIds),
    enabled: !!periodId && (objectiveIds === undefined || objectiveIds.length > 0),
    queryFn: () =>
      get<Page<Finding>>(
        withQuery("/coach", { periodId, teamId, objectiveIds: objectiveIds?.slice(0, 200).join(",") || undefined }),
      ),
  });
/**
 * The coach's findings for a period (or one team's objectives in it), a page at a time in the
 * order of a whole run: a dashboard shows the first page without the server checking the period.
 */
export const useCoachPages = (periodId: string | undefined, teamId: string | undefined, pageSize = 12) =>
  useInfiniteList<Finding>(
    keys.coachPages(periodId, teamId),
    "/coach",
    { periodId, teamId },
    {
      pageSize,
      enabled: !!periodId,
    },
  );
/**
 * Progress over time of the objectives in view (the organisation's, or a team's; with `subTeams`,
 * the team's and those of the teams under it), in one request.
 */
export const useSeries = (periodId: string | undefined, teamId: string | undefined, subTeams = false) =>
  useQuery({
    queryKey: keys.seriesOf(periodId, teamId, subTeams),
    enabled: !!periodId,
    queryFn: () =>
      get<Series>(withQuery("/series", { periodId, teamId, ...(subTeams && teamId ? { subTeams: "true" } : {}) })),
  });

/** The period to show: the one named, else the current quarter, else the current period, else the latest. */
export function pickPeriod(
  periods: Period[] | undefined,
  wanted: string | undefined,
  todayIso: string,
): Period | undefined {
  if (!periods?.length) return undefined;
  if (wanted) {
    const p = periods.find((x) => x.id === wanted);
    if (p) return p;
  }
  const current = periods.filter((p) => p.startDate <= todayIso && todayIso <= p.endDate);
  return current.find((p) => p.kind === "quarter") ?? current[0] ?? periods.at(-1);
}

/** An objective's review (the panel on its page); off until `enabled`. */
export const useReview = (id: string, enabled = true) =>
  useQuery({
    queryKey: keys.reviewOf(id),
    enabled: enabled && !!id,
    queryFn: () => get<Review>(`/objectives/${id}/review`),
  });

/** The drafts in review whose reviewer I am. */
export const useReviewsWaiting = () =>
  useQuery({ queryKey: keys.reviewsWaiting, queryFn: () => get<ReviewsWaiting>("/reviews/waiting") });
