/**
 * The alignment map: the period's tree (organisation → teams → people) as a graph,
 * coloured by status, collapsible, searchable and zoomable. Layout is a simple tidy tree
 * computed here (left to right by depth), so thousands of nodes place in milliseconds.
 */
import {
  Background,
  Controls,
  type Edge,
  MiniMap,
  type Node,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { Group, Stack, Text, TextInput, Title } from "@mantine/core";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { memo, useMemo, useState } from "react";
import type { Status } from "../../domain/types.js";
import { useCurrentPeriod } from "../app.js";
import { QueryState } from "../components/query-state.js";
import { STATUS_COLOR } from "../components/status-badge.js";
import { TeamSelect } from "../features/pickers/pickers.js";
import { percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { useTree } from "../lib/queries.js";
import type { TreeNode } from "../lib/types.js";

const W = 260;
const H = 64;
const GAP_X = 60;
const GAP_Y = 12;

interface MapNodeData extends Record<string, unknown> {
  node: TreeNode;
  collapsed: boolean;
  childCount: number;
  match: boolean;
}

// Plain elements, not Mantine components: a map holds thousands of nodes.
const MapNodeView = memo(function MapNodeView({ data }: { data: MapNodeData }) {
  const n = data.node;
  const color = STATUS_COLOR[n.status as Status];
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would mean a form; this is a labelled map node
    <div
      role="group"
      className={`okra-map-node${data.match ? " is-match" : ""}`}
      style={{ borderLeftColor: `var(--mantine-color-${color}-6)` }}
      aria-label={`${n.title}: ${percent(n.progress)}, ${t(`status.${n.status}`)}`}
    >
      <div className={n.type === "objective" ? "okra-map-title is-objective" : "okra-map-title"}>
        {n.type === "keyResult" ? "◆ " : ""}
        {n.title}
      </div>
      <div className="okra-map-meta">
        <span>{percent(n.progress)}</span>
        <span className="okra-map-status" style={{ background: `var(--mantine-color-${color}-0)` }}>
          {t(`status.${n.status}`)}
        </span>
        {data.childCount > 0 && <span className="okra-map-dim">{data.collapsed ? `▸ ${data.childCount}` : "▾"}</span>}
      </div>
    </div>
  );
});

const nodeTypes = { okr: MapNodeView };

/** Lays the visible part of the tree out left to right; returns nodes and edges. */
function layout(roots: TreeNode[], collapsed: Set<string>, query: string) {
  const nodes: Node<MapNodeData>[] = [];
  const edges: Edge[] = [];
  let row = 0;
  const q = query.trim().toLowerCase();
  const place = (n: TreeNode, depth: number, path: string, parentPath: string | null): number => {
    const id = path;
    const kids = collapsed.has(n.id) ? [] : n.children;
    const ys: number[] = [];
    for (const [i, c] of kids.entries()) ys.push(place(c, depth + 1, `${path}/${c.type[0]}${c.id}:${i}`, id));
    const y = ys.length ? (ys[0]! + ys[ys.length - 1]!) / 2 : row++ * (H + GAP_Y);
    nodes.push({
      id,
      type: "okr",
      position: { x: depth * (W + GAP_X), y },
      // Fixed sizes: xyflow then places and culls nodes without measuring each one first.
      width: W,
      height: H,
      data: {
        node: n,
        collapsed: collapsed.has(n.id),
        childCount: n.children.length,
        match: !!q && n.title.toLowerCase().includes(q),
      },
      draggable: false,
    });
    if (parentPath) {
      edges.push({
        id: `${parentPath}->${id}`,
        source: parentPath,
        target: id,
        type: "smoothstep",
        style: n.alignment && !n.alignment.contributes ? { strokeDasharray: "4 4" } : undefined,
      });
    }
    return y;
  };
  for (const [i, r] of roots.entries()) place(r, 0, `r${i}:${r.id}`, null);
  return { nodes, edges };
}

/** The first root and the nodes right below it: where a reader starts. */
function initialView(nodes: Node<MapNodeData>[]): { id: string }[] {
  const root = nodes.find((n) => n.position.x === 0 && n.id.startsWith("r0:"));
  if (!root) return nodes.slice(0, 1).map((n) => ({ id: n.id }));
  return nodes
    .filter((n) => n.id === root.id || (n.id.startsWith(`${root.id}/`) && n.id.split("/").length === 2))
    .map((n) => ({ id: n.id }));
}

function Flow({ roots }: { roots: TreeNode[] }) {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [query, setQuery] = useState("");
  const navigate = useNavigate();
  const flow = useReactFlow();
  const { nodes, edges } = useMemo(() => layout(roots, collapsed, query), [roots, collapsed, query]);
  return (
    <Stack gap="xs" h="calc(100vh - 140px)">
      <Group>
        <TextInput
          label={t("map.search")}
          value={query}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setQuery(v);
            const hit = nodes.find((n) => v && n.data.node.title.toLowerCase().includes(v.toLowerCase()));
            if (hit) void flow.setCenter(hit.position.x + W / 2, hit.position.y + H / 2, { zoom: 1, duration: 300 });
          }}
          w={280}
        />
        <Text size="sm" c="dimmed" mt="lg" aria-live="polite">
          {t("map.nodes", { count: nodes.length })}
        </Text>
      </Group>
      <div style={{ flex: 1, border: "1px solid var(--mantine-color-default-border)", borderRadius: 8 }}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          // Open on the top of the tree at a readable size; zoom out or search for the rest.
          fitViewOptions={{ nodes: initialView(nodes), minZoom: 0.5, maxZoom: 1 }}
          minZoom={0.05}
          onlyRenderVisibleElements
          nodesConnectable={false}
          onNodeClick={(_e, n) => {
            const id = (n.data as MapNodeData).node.id;
            setCollapsed((s) => {
              const next = new Set(s);
              if (next.has(id)) next.delete(id);
              else next.add(id);
              return next;
            });
          }}
          onNodeDoubleClick={(_e, n) => {
            const node = (n.data as MapNodeData).node;
            const objectiveId = node.type === "objective" ? node.id : node.objectiveId;
            if (objectiveId) void navigate({ to: "/objectives/$objectiveId", params: { objectiveId } });
          }}
        >
          <Background />
          <Controls />
          {nodes.length <= 600 && (
            <MiniMap
              pannable
              zoomable
              nodeColor={(n) => `var(--mantine-color-${STATUS_COLOR[(n.data as MapNodeData).node.status as Status]}-6)`}
            />
          )}
        </ReactFlow>
      </div>
    </Stack>
  );
}

export function MapPage() {
  const { period } = useCurrentPeriod();
  const search = useSearch({ strict: false }) as { team?: string };
  const navigate = useNavigate();
  // A team's subtree costs what that team holds; the whole period's tree stays available.
  const tree = useTree(period?.id, search.team);
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
      <QueryState query={tree} isEmpty={(d) => d.roots.length === 0}>
        {(d) => (
          <ReactFlowProvider>
            <Flow roots={d.roots} />
          </ReactFlowProvider>
        )}
      </QueryState>
    </Stack>
  );
}
