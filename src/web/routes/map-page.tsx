/**
 * The alignment map. It opens on the organisation's level: the organisation's own objectives
 * with their key results, and every top-level team as one cluster (its objectives' count and
 * status summary). A cluster opens on click and loads that team's part only (GET /tree?teamId),
 * with its sub-teams as clusters in turn; items deeper than one level, and children past a
 * few, stay folded until asked for. So what is drawn stays in the hundreds whatever the size of
 * the organisation. Zoomed out, nodes show a short title; zoomed in, the full card. "Show me my
 * part" walks up from the signed-in person's objectives to the top, opens what holds them,
 * highlights that chain and dims the rest.
 */
import {
  Background,
  Controls,
  type Edge,
  type Node,
  ReactFlow,
  ReactFlowProvider,
  type ReactFlowState,
  useReactFlow,
  useStore,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { Alert, Button, Group, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { type QueryClient, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type CSSProperties, memo, type ReactNode, useEffect, useMemo, useState } from "react";
import { STATUSES, type Status } from "../../domain/types.js";
import { useCurrentPeriod } from "../app.js";
import { QueryState } from "../components/query-state.js";
import { STATUS_COLOR } from "../components/status-badge.js";
import { TeamSelect } from "../features/pickers/pickers.js";
import { get } from "../lib/api.js";
import { percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { fetchAll, keys, useMe, withQuery } from "../lib/queries.js";
import type { Alignment, KeyResult, Objective, Page, Team, TreeNode } from "../lib/types.js";

const W = 260;
const H = 76;
const GAP_X = 70;
const GAP_Y = 14;
/** Children shown under one node before a "more" node; each click on it shows this many more. */
const CHILD_STEP = 12;
/** Items in a team's part open by default down to this depth (0: the team's own objectives). */
const OPEN_DEPTH = 1;
/** Team clusters per page. */
const TEAM_PAGE = 50;

type TeamCluster = import("../lib/types.js").TeamCluster;

type Item =
  | { kind: "root"; name: string }
  | { kind: "okr"; node: TreeNode }
  | { kind: "team"; team: TeamCluster }
  | { kind: "moreTeams"; parentId: string | null }
  | { kind: "more"; ownerPath: string; count: number }
  | { kind: "note"; text: string };

interface MapNodeData extends Record<string, unknown> {
  item: Item;
  open: boolean;
  childCount: number;
  mark: "none" | "match" | "mine" | "chain";
  dimmed: boolean;
}

// ------------------------------------------------------------------ data

const orgLevelKey = (periodId: string) => ["tree", "level", periodId] as const;
const clustersKey = (periodId: string, parent: string | null, pages: number) =>
  ["tree", "teams", periodId, parent, pages] as const;
const pinnedKey = (periodId: string, ids: string[]) => ["tree", "teams", periodId, "ids", ids.join(",")] as const;

/** `pages` pages of the clusters under `parent` (top-level when null), and whether there are more. */
async function loadClusters(periodId: string, parent: string | null, pages: number) {
  const items: TeamCluster[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < pages; i++) {
    const page = await get<Page<TeamCluster>>(
      withQuery("/tree/teams", { periodId, parentId: parent ?? undefined, limit: String(TEAM_PAGE), cursor }),
    );
    items.push(...page.items);
    if (!page.nextCursor) return { items, more: false };
    cursor = page.nextCursor;
  }
  return { items, more: true };
}

/**
 * Walks up from these objectives through their alignments to the top: every objective and key
 * result on the way (ids), and the objectives met (for their teams). Costs what the chain holds.
 */
async function chainUp(qc: QueryClient, objectiveIds: string[]) {
  const ids = new Set<string>();
  const objectives = new Map<string, Objective>();
  const queue: { type: "objective" | "keyResult"; id: string }[] = objectiveIds.map((id) => ({
    type: "objective",
    id,
  }));
  const objective = (id: string) =>
    qc.fetchQuery({ queryKey: keys.objective(id), queryFn: () => get<Objective>(`/objectives/${id}`) });
  // An organisation's chains are a few levels deep; the cap guards against a surprise.
  for (let step = 0; queue.length && step < 300; step++) {
    const n = queue.shift()!;
    if (ids.has(n.id)) continue;
    ids.add(n.id);
    try {
      if (n.type === "objective") objectives.set(n.id, await objective(n.id));
      const parents = await qc.fetchQuery({
        queryKey: keys.alignmentsOf({ childId: n.id }),
        queryFn: () => fetchAll<Alignment>("/alignments", { childId: n.id }),
      });
      for (const a of parents.items) {
        if (a.state === "pending") continue;
        queue.push({ type: a.parentType, id: a.parentId });
        if (a.parentType === "keyResult") {
          const kr = await qc.fetchQuery({
            queryKey: keys.keyResult(a.parentId),
            queryFn: () => get<KeyResult>(`/key-results/${a.parentId}`),
          });
          queue.push({ type: "objective", id: kr.objectiveId });
        }
      }
    } catch {
      // A parent the person may not see ends the walk there.
    }
  }
  return { ids, objectives };
}

/** The teams holding these objectives, with every team above them. */
async function teamsWithParents(qc: QueryClient, teamIds: string[]): Promise<Map<string, Team>> {
  const out = new Map<string, Team>();
  const queue = [...teamIds];
  while (queue.length && out.size < 200) {
    const id = queue.shift()!;
    if (out.has(id)) continue;
    try {
      const team = await qc.fetchQuery({ queryKey: keys.team(id), queryFn: () => get<Team>(`/teams/${id}`) });
      out.set(id, team);
      if (team.parentId) queue.push(team.parentId);
    } catch {
      // A deleted team: nothing to open.
    }
  }
  return out;
}

/** A plain tree node for an objective of the person's that the map does not hold elsewhere. */
function nodeOf(o: Objective): TreeNode {
  return {
    type: "objective",
    id: o.id,
    title: o.title,
    level: o.level,
    krType: null,
    teamId: o.teamId,
    ownerIds: o.ownerIds,
    periodId: o.periodId,
    objectiveId: null,
    progress: o.progress,
    expectedProgress: o.expectedProgress,
    status: o.status,
    forecast: o.forecast,
    current: null,
    target: null,
    unit: null,
    flags: [],
    alignment: null,
    children: [],
  };
}

// ------------------------------------------------------------------ nodes

type Zoom = "far" | "mid" | "near";
const zoomLevel = (s: ReactFlowState): Zoom => {
  const z = s.transform[2];
  return z < 0.45 ? "far" : z < 0.85 ? "mid" : "near";
};

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1).trimEnd()}…` : s);

function StatusStrip({ statuses, total }: { statuses: Record<Status, number>; total: number }) {
  return (
    <div className="okra-map-strip" aria-hidden>
      {STATUSES.filter((s) => statuses[s] > 0).map((s) => (
        <span
          key={s}
          style={{ flex: statuses[s] / Math.max(1, total), background: `var(--mantine-color-${STATUS_COLOR[s]}-6)` }}
        />
      ))}
    </div>
  );
}

/** A labelled map node. */
function NodeBox({
  className,
  label,
  style,
  children,
}: {
  className: string;
  label: string;
  style?: CSSProperties;
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would mean a form; this is a labelled map node
    <div role="group" className={className} style={style} aria-label={label}>
      {children}
    </div>
  );
}

// Plain elements, not Mantine components: a map holds hundreds of nodes.
const MapNodeView = memo(function MapNodeView({ data }: { data: MapNodeData }) {
  const zoom = useStore(zoomLevel);
  const it = data.item;
  const cls = `okra-map-node is-${it.kind}${data.mark !== "none" ? ` is-${data.mark}` : ""}${data.dimmed ? " is-dimmed" : ""}`;
  if (it.kind === "root") {
    return (
      <NodeBox className={cls} label={it.name}>
        <div className="okra-map-title is-objective">{it.name}</div>
      </NodeBox>
    );
  }
  if (it.kind === "moreTeams" || it.kind === "more" || it.kind === "note") {
    const text =
      it.kind === "moreTeams" ? t("map.moreTeams") : it.kind === "more" ? t("map.more", { count: it.count }) : it.text;
    return (
      <NodeBox className={cls} label={text}>
        <div className="okra-map-title">{text}</div>
      </NodeBox>
    );
  }
  if (it.kind === "team") {
    const c = it.team;
    const summary = STATUSES.filter((s) => c.statuses[s] > 0)
      .map((s) => `${c.statuses[s]} ${t(`status.${s}`).toLowerCase()}`)
      .join(", ");
    const counts = [
      c.objectives ? t("map.objectives", { count: c.objectives }) : t("map.noObjectives"),
      ...(c.subTeams ? [t("map.subTeams", { count: c.subTeams })] : []),
    ].join(" · ");
    return (
      <NodeBox className={cls} label={`${c.name}: ${counts}${summary ? `; ${summary}` : ""}`}>
        <div className="okra-map-title is-objective">
          {data.open ? "▾ " : "▸ "}
          {zoom === "far" ? short(c.name, 22) : c.name}
        </div>
        {zoom !== "far" && (
          <div className="okra-map-meta">
            <span>{counts}</span>
            {c.progress !== null && zoom === "near" && <span className="okra-map-dim">{percent(c.progress)}</span>}
          </div>
        )}
        <StatusStrip statuses={c.statuses} total={c.objectives} />
      </NodeBox>
    );
  }
  const n = it.node;
  const color = STATUS_COLOR[n.status as Status] ?? "gray";
  const title = `${n.type === "keyResult" ? "◆ " : ""}${n.title}`;
  return (
    <NodeBox
      className={cls}
      style={{ borderLeftColor: `var(--mantine-color-${color}-6)` }}
      label={`${n.title}: ${percent(n.progress)}, ${t(`status.${n.status}`)}`}
    >
      <div className={n.type === "objective" ? "okra-map-title is-objective" : "okra-map-title"}>
        {zoom === "far" ? short(title, 28) : title}
      </div>
      {zoom !== "far" && (
        <div className="okra-map-meta">
          <span>{percent(n.progress)}</span>
          <span className="okra-map-status" style={{ background: `var(--mantine-color-${color}-1)` }}>
            {t(`status.${n.status}`)}
          </span>
          {data.childCount > 0 && <span className="okra-map-dim">{data.open ? "▾" : `▸ ${data.childCount}`}</span>}
        </div>
      )}
      {zoom === "near" && (
        <div className="okra-map-bar" aria-hidden>
          <span
            style={{
              width: `${Math.round(Math.min(1, Math.max(0, n.progress ?? 0)) * 100)}%`,
              background: `var(--mantine-color-${color}-6)`,
            }}
          />
        </div>
      )}
    </NodeBox>
  );
});

const nodeTypes = { okr: MapNodeView };

// ------------------------------------------------------------------ layout

interface Inputs {
  rootName: string;
  orgRoots: TreeNode[];
  topTeams: { items: TeamCluster[]; more: boolean } | undefined;
  openTeams: Set<string>;
  teamTrees: Map<string, TreeNode[] | undefined>;
  subTeams: Map<string, { items: TeamCluster[]; more: boolean } | undefined>;
  pinned: TeamCluster[];
  mine: Objective[];
  /** Show this team only (the team picker). */
  onlyTeam: string | undefined;
  toggled: Set<string>;
  shownChildren: Map<string, number>;
  highlight: { mine: Set<string>; chain: Set<string> } | null;
  query: string;
}

/** Lays out what is open, left to right; returns nodes and edges. */
function layout(p: Inputs) {
  const nodes: Node<MapNodeData>[] = [];
  const edges: Edge[] = [];
  let row = 0;
  const q = p.query.trim().toLowerCase();
  const onChain = (n: TreeNode) => !!p.highlight && (p.highlight.mine.has(n.id) || p.highlight.chain.has(n.id));
  const hasChain = (n: TreeNode): boolean => onChain(n) || n.children.some(hasChain);

  const clustersUnder = (parent: string | null, list: { items: TeamCluster[] } | undefined): TeamCluster[] => {
    const items = [...(list?.items ?? [])];
    for (const c of p.pinned) if (c.parentId === parent && !items.some((x) => x.id === c.id)) items.push(c);
    return items;
  };

  type Child = { item: Item; key: string; children: () => Child[]; open: boolean; count: number; edgeDashed?: boolean };

  const okrChild = (n: TreeNode, path: string, depth: number): Child => {
    const key = `${path}/${n.type[0]}${n.id}`;
    const byDefault = depth < OPEN_DEPTH || (!!p.highlight && n.children.some(hasChain));
    const open = p.toggled.has(key) ? !byDefault : byDefault;
    return {
      item: { kind: "okr", node: n },
      key,
      open,
      count: n.children.length,
      edgeDashed: !!n.alignment && !n.alignment.contributes,
      children: () => limited(key, n.children, depth + 1),
    };
  };

  /** At most a few children per node (those on the highlighted chain first), then a "more" node. */
  const limited = (key: string, kids: TreeNode[], depth: number): Child[] => {
    const sorted = p.highlight ? [...kids].sort((a, b) => Number(hasChain(b)) - Number(hasChain(a))) : kids;
    const shown = Math.max(p.shownChildren.get(key) ?? CHILD_STEP, sorted.filter(hasChain).length);
    const out = sorted.slice(0, shown).map((c, i) => okrChild(c, `${key}:${i}`, depth));
    if (sorted.length > shown) {
      out.push({
        item: { kind: "more", ownerPath: key, count: sorted.length - shown },
        key: `${key}/more`,
        open: false,
        count: 0,
        children: () => [],
      });
    }
    return out;
  };

  const teamChild = (c: TeamCluster, path: string): Child => {
    const key = `${path}/t${c.id}`;
    const open = p.openTeams.has(c.id);
    return {
      item: { kind: "team", team: c },
      key,
      open,
      count: c.objectives + c.subTeams,
      children: () => {
        const tree = p.teamTrees.get(c.id);
        const subs = p.subTeams.get(c.id);
        if (tree === undefined) {
          return [
            {
              item: { kind: "note", text: t("map.loading") },
              key: `${key}/loading`,
              open: false,
              count: 0,
              children: () => [],
            },
          ];
        }
        const out = limited(key, tree, 0);
        for (const s of clustersUnder(c.id, subs)) out.push(teamChild(s, key));
        if (subs?.more) {
          out.push({
            item: { kind: "moreTeams", parentId: c.id },
            key: `${key}/moreTeams`,
            open: false,
            count: 0,
            children: () => [],
          });
        }
        return out;
      },
    };
  };

  const rootChildren = (): Child[] => {
    if (p.onlyTeam) return p.pinned.filter((c) => c.id === p.onlyTeam).map((c) => teamChild(c, "root"));
    // The organisation's objectives start folded: the first view shows the whole level at a readable size.
    const out: Child[] = p.orgRoots.map((n, i) => okrChild(n, `root:${i}`, OPEN_DEPTH));
    for (const c of clustersUnder(null, p.topTeams)) out.push(teamChild(c, "root"));
    if (p.topTeams?.more) {
      out.push({
        item: { kind: "moreTeams", parentId: null },
        key: "root/moreTeams",
        open: false,
        count: 0,
        children: () => [],
      });
    }
    return out;
  };

  const place = (c: Child, depth: number, parentKey: string | null): number => {
    const kids = c.open ? c.children() : [];
    const ys = kids.map((k) => place(k, depth + 1, c.key));
    const y = ys.length ? (ys[0]! + ys[ys.length - 1]!) / 2 : row++ * (H + GAP_Y);
    const it = c.item;
    const mark: MapNodeData["mark"] =
      it.kind === "okr" && p.highlight?.mine.has(it.node.id)
        ? "mine"
        : it.kind === "okr" && p.highlight?.chain.has(it.node.id)
          ? "chain"
          : it.kind === "okr" && q && it.node.title.toLowerCase().includes(q)
            ? "match"
            : "none";
    const dimmed = !!p.highlight && mark === "none" && it.kind !== "root";
    nodes.push({
      id: c.key,
      type: "okr",
      position: { x: depth * (W + GAP_X), y },
      // Fixed sizes: xyflow then places and culls nodes without measuring each one first.
      width: W,
      height: H,
      data: { item: it, open: c.open, childCount: c.count, mark, dimmed },
      draggable: false,
    });
    if (parentKey) {
      edges.push({
        id: `${parentKey}->${c.key}`,
        source: parentKey,
        target: c.key,
        type: "smoothstep",
        style: {
          ...(c.edgeDashed ? { strokeDasharray: "4 4" } : {}),
          ...(dimmed ? { opacity: 0.25 } : {}),
        },
      });
    }
    return y;
  };
  place(
    { item: { kind: "root", name: p.rootName }, key: "root", open: true, count: 0, children: rootChildren },
    0,
    null,
  );
  // The person's objectives that nothing drawn holds (aligned to nothing, or under the
  // organisation's key results directly) get a group of their own, once everything has loaded.
  const drawn = new Set(nodes.map((n) => (n.data.item.kind === "okr" ? n.data.item.node.id : "")));
  const loading = nodes.some((n) => n.data.item.kind === "note");
  const loose = loading ? [] : p.mine.filter((o) => !drawn.has(o.id)).map(nodeOf);
  if (loose.length) {
    row++;
    place(
      {
        item: { kind: "note", text: t("map.notAligned") },
        key: "loose",
        open: true,
        count: loose.length,
        children: () => loose.map((n, i) => okrChild(n, `loose:${i}`, 0)),
      },
      0,
      null,
    );
  }
  return { nodes, edges };
}

// ------------------------------------------------------------------ the map

function Legend() {
  return (
    <Group gap="md" wrap="wrap">
      <Text size="sm" fw={600} id="map-legend">
        {t("map.legend")}
      </Text>
      <Group gap="md" component="ul" aria-labelledby="map-legend" className="okra-map-legend">
        {STATUSES.map((s) => (
          <Group key={s} gap={6} component="li" wrap="nowrap">
            <span
              aria-hidden
              className="okra-map-swatch"
              style={{ background: `var(--mantine-color-${STATUS_COLOR[s]}-6)` }}
            />
            <Text span size="sm">
              {t(`status.${s}`)}
            </Text>
          </Group>
        ))}
      </Group>
    </Group>
  );
}

function Flow({ periodId, teamId }: { periodId: string; teamId: string | undefined }) {
  const qc = useQueryClient();
  const me = useMe();
  const navigate = useNavigate();
  const flow = useReactFlow();
  const [openTeams, setOpenTeams] = useState<Set<string>>(() => new Set(teamId ? [teamId] : []));
  const [teamPages, setTeamPages] = useState<Map<string, number>>(new Map());
  const [toggled, setToggled] = useState<Set<string>>(new Set());
  const [shownChildren, setShownChildren] = useState<Map<string, number>>(new Map());
  const [pinnedIds, setPinnedIds] = useState<string[]>(teamId ? [teamId] : []);
  const [highlight, setHighlight] = useState<{ mine: Set<string>; chain: Set<string> } | null>(null);
  const [mine, setMine] = useState<Objective[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [focus, setFocus] = useState(0);
  const [query, setQuery] = useState("");
  const [debounced] = useDebouncedValue(query, 350);

  const orgLevel = useQuery({
    queryKey: orgLevelKey(periodId),
    enabled: !teamId,
    queryFn: () => get<{ roots: TreeNode[] }>(withQuery("/tree", { periodId, level: "organization" })),
  });
  const topPages = teamPages.get("") ?? 1;
  const topTeams = useQuery({
    queryKey: clustersKey(periodId, null, topPages),
    enabled: !teamId,
    queryFn: () => loadClusters(periodId, null, topPages),
    placeholderData: (prev) => prev,
  });
  const pinned = useQuery({
    queryKey: pinnedKey(periodId, pinnedIds),
    enabled: pinnedIds.length > 0,
    queryFn: async () =>
      (await get<Page<TeamCluster>>(withQuery("/tree/teams", { periodId, ids: pinnedIds.join(","), limit: "100" })))
        .items,
    placeholderData: (prev) => prev,
  });
  const open = [...openTeams];
  const trees = useQueries({
    queries: open.map((id) => ({
      queryKey: keys.treeOf(periodId, id),
      queryFn: () => get<{ roots: TreeNode[] }>(withQuery("/tree", { periodId, teamId: id })),
    })),
  });
  const subs = useQueries({
    queries: open.map((id) => {
      const pages = teamPages.get(id) ?? 1;
      return {
        queryKey: clustersKey(periodId, id, pages),
        queryFn: () => loadClusters(periodId, id, pages),
        placeholderData: (prev: { items: TeamCluster[]; more: boolean } | undefined) => prev,
      };
    }),
  });
  const teamTrees = new Map(open.map((id, i) => [id, trees[i]?.data?.roots]));
  const subTeams = new Map(open.map((id, i) => [id, subs[i]?.data]));
  const treesKey = trees.map((r) => r.dataUpdatedAt).join(",") + subs.map((r) => r.dataUpdatedAt).join(",");

  // teamTrees and subTeams are rebuilt each render; treesKey says when their data changed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  const { nodes, edges } = useMemo(
    () =>
      layout({
        rootName: me.data?.organization.name ?? t("map.organisation"),
        onlyTeam: teamId,
        orgRoots: teamId ? [] : (orgLevel.data?.roots ?? []),
        topTeams: teamId ? { items: [], more: false } : topTeams.data,
        openTeams,
        teamTrees,
        subTeams,
        pinned: pinned.data ?? [],
        mine,
        toggled,
        shownChildren,
        highlight,
        query: debounced,
      }),
    [
      teamId,
      me.data,
      orgLevel.data,
      topTeams.data,
      pinned.data,
      openTeams,
      treesKey,
      mine,
      toggled,
      shownChildren,
      highlight,
      debounced,
    ],
  );

  // Open fitted to the organisation's level (the root and what sits right under it), once it has loaded.
  const [fitted, setFitted] = useState(false);
  const levelReady = teamId
    ? pinned.isSuccess && trees.every((r) => r.isSuccess)
    : orgLevel.isSuccess && topTeams.isSuccess;
  useEffect(() => {
    if (fitted || !levelReady) return;
    setFitted(true);
    const top = nodes.filter((n) => n.id === "root" || (n.id.startsWith("root") && n.id.split("/").length === 2));
    // After the first paint: xyflow needs the nodes in its store before it can fit them.
    requestAnimationFrame(
      // Never below half size, where names stop being legible: a wide level opens on its middle.
      () => void flow.fitView({ nodes: top.map((n) => ({ id: n.id })), minZoom: 0.5, maxZoom: 1, padding: 0.1 }),
    );
  }, [fitted, levelReady, nodes, flow]);

  // Focus on the highlighted part once it is laid out (after "show me my part" or a search).
  useEffect(() => {
    if (!focus) return;
    const marked = nodes.filter((n) => n.data.mark !== "none").map((n) => ({ id: n.id }));
    if (!marked.length) return;
    void flow.fitView({ nodes: marked, duration: 400, maxZoom: 1, padding: 0.2 });
  }, [focus, nodes, flow]);

  /** Opens what holds these objectives (their teams and the teams above) and highlights the chain. */
  const reveal = async (objectiveIds: string[], mine: boolean) => {
    const { ids, objectives } = await chainUp(qc, objectiveIds);
    const teamIds = [...new Set([...objectives.values()].map((o) => o.teamId).filter((x): x is string => !!x))];
    const teams = await teamsWithParents(qc, teamIds);
    setOpenTeams((s) => new Set([...s, ...teams.keys()]));
    setPinnedIds((s) => [...new Set([...s, ...teams.keys()])].slice(0, 100));
    if (mine) setMine(objectiveIds.map((id) => objectives.get(id)).filter((o): o is Objective => !!o));
    const start = new Set(objectiveIds);
    setHighlight({ mine: mine ? start : new Set(), chain: new Set([...ids].filter((id) => !mine || !start.has(id))) });
    setFocus((n) => n + 1);
  };

  const showMyPart = async () => {
    if (!me.data) return;
    setBusy(true);
    try {
      const mineList = await fetchAll<Objective>("/objectives", { ownerId: me.data.user.id, periodId });
      const ids = mineList.items.filter((o) => o.state !== "draft").map((o) => o.id);
      if (!ids.length) {
        setMessage(t("map.myPartNone"));
        return;
      }
      await reveal(ids, true);
      setMessage(t("map.myPartShown", { count: ids.length }));
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // A search that matches nothing drawn asks the server, then opens the way to the first match.
  // Only a new search text starts this; what is drawn changes as its result opens.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    const q = debounced.trim();
    if (!q) return;
    const drawn = nodes.find((n) => n.data.mark === "match");
    if (drawn) {
      void flow.setCenter(drawn.position.x + W / 2, drawn.position.y + H / 2, { zoom: 1, duration: 300 });
      return;
    }
    let stale = false;
    void get<Page<Objective>>(withQuery("/objectives", { periodId, q, limit: "1" })).then((page) => {
      const hit = page.items[0];
      if (!stale && hit) void reveal([hit.id], false);
    });
    return () => {
      stale = true;
    };
  }, [debounced, periodId]);

  const onNodeClick = (id: string, data: MapNodeData) => {
    const it = data.item;
    if (it.kind === "team") {
      setOpenTeams((s) => {
        const next = new Set(s);
        if (next.has(it.team.id)) next.delete(it.team.id);
        else next.add(it.team.id);
        return next;
      });
    } else if (it.kind === "moreTeams") {
      const k = it.parentId ?? "";
      setTeamPages((m) => new Map(m).set(k, (m.get(k) ?? 1) + 1));
    } else if (it.kind === "more") {
      setShownChildren((m) => new Map(m).set(it.ownerPath, (m.get(it.ownerPath) ?? CHILD_STEP) + CHILD_STEP * 4));
    } else if (it.kind === "okr" && data.childCount > 0) {
      setToggled((s) => {
        const next = new Set(s);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      });
    }
  };

  const first = teamId ? null : orgLevel.isError ? orgLevel : topTeams.isError ? topTeams : null;
  return (
    <Stack gap="xs" h="calc(100vh - 140px)" mih={480}>
      <Group align="flex-end" wrap="wrap">
        <TextInput label={t("map.search")} value={query} onChange={(e) => setQuery(e.currentTarget.value)} w={260} />
        {highlight ? (
          <Button
            variant="default"
            onClick={() => {
              setHighlight(null);
              setMine([]);
              setMessage(null);
              void flow.fitView({ duration: 300, maxZoom: 1 });
            }}
          >
            {t("map.everything")}
          </Button>
        ) : (
          <Button onClick={() => void showMyPart()} loading={busy} disabled={!me.data}>
            {t("map.myPart")}
          </Button>
        )}
        <Text size="sm" c="dimmed" aria-live="polite">
          {t("map.nodes", { count: nodes.length })}
        </Text>
      </Group>
      <Legend />
      <Text size="xs" c="dimmed">
        {t("map.help")}
      </Text>
      {message && (
        <Text size="sm" role="status">
          {message}
        </Text>
      )}
      {first && <Alert color="red">{(first.error as Error).message}</Alert>}
      <div
        style={{ flex: 1, border: "1px solid var(--mantine-color-default-border)", borderRadius: 8 }}
        data-testid="alignment-map"
      >
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          minZoom={0.05}
          onlyRenderVisibleElements
          nodesConnectable={false}
          onNodeClick={(_e, n) => onNodeClick(n.id, n.data as MapNodeData)}
          onNodeDoubleClick={(_e, n) => {
            const it = (n.data as MapNodeData).item;
            if (it.kind !== "okr") return;
            const objectiveId = it.node.type === "objective" ? it.node.id : it.node.objectiveId;
            if (objectiveId) void navigate({ to: "/objectives/$objectiveId", params: { objectiveId } });
          }}
        >
          <Background />
          <Controls />
        </ReactFlow>
      </div>
    </Stack>
  );
}

export function MapPage() {
  const { periods, period } = useCurrentPeriod();
  const search = useSearch({ strict: false }) as { team?: string };
  const navigate = useNavigate();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("map.title")}</Title>
        <TeamSelect
          aria-label={t("common.team")}
          placeholder={t("dashboard.allTeams")}
          value={search.team ?? null}
          onChange={(v) =>
            void navigate({
              to: "/map",
              search: (prev: Record<string, unknown>) => ({ ...prev, team: v ?? undefined }),
            } as never)
          }
          clearable
        />
      </Group>
      <QueryState query={periods} isEmpty={() => !period}>
        {() =>
          period && (
            <ReactFlowProvider key={`${period.id}:${search.team ?? ""}`}>
              <Flow periodId={period.id} teamId={search.team} />
            </ReactFlowProvider>
          )
        }
      </QueryState>
    </Stack>
  );
}
