/**
 * Pickers that search the server as you type (people, teams, objectives and key results):
 * an organisation of 50,000 people is never loaded into a dropdown. What is selected is
 * fetched by id, so it shows even when it is not among the first matches.
 */
import {
  type ComboboxItem,
  MultiSelect,
  type MultiSelectProps,
  type OptionsFilter,
  Select,
  type SelectProps,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { get } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import {
  keys,
  useObjectivePages,
  useObjectivesById,
  useTeamList,
  useTeamsById,
  useUserList,
  useUsersById,
} from "../../lib/queries.js";
import type { KeyResult } from "../../lib/types.js";

/** How many matches a picker shows; typing more narrows them. */
const MATCHES = 20;
const DEBOUNCE_MS = 250;
const MORE = "__more__";

// The server has already matched: show its answer as it is.
const serverFiltered: OptionsFilter = ({ options }) => options;

/**
 * While the typed text has not reached the server yet (the debounce), the list on show answers
 * an older search: narrow it by name here, so ↓ and Enter never pick something the text rules out.
 */
function filterFor(search: string, term: string): OptionsFilter {
  const typed = search.trim().toLowerCase();
  if (typed === term.toLowerCase()) return serverFiltered;
  return ({ options }) => options.filter((o) => !("label" in o) || o.label.toLowerCase().includes(typed));
}

/** The selected options first, then the matches, each once; a last line says when there are more. */
function optionsOf(selected: ComboboxItem[], matches: ComboboxItem[], hasMore: boolean): ComboboxItem[] {
  const seen = new Set(selected.map((o) => o.value));
  const out = [...selected, ...matches.filter((o) => !seen.has(o.value))];
  if (hasMore) out.push({ value: MORE, label: t("picker.more"), disabled: true });
  return out;
}

/** The search term and its debounced value; a search equal to the selected label lists from the start. */
function useSearch(selectedLabel: string | undefined) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), DEBOUNCE_MS);
  const term = selectedLabel !== undefined && debounced === selectedLabel.trim() ? "" : debounced;
  return { search, setSearch, term };
}

type Kind = "person" | "team";

function useMatches(kind: Kind, term: string, enabled: boolean) {
  const people = useUserList(term, MATCHES, kind === "person" && enabled);
  const teams = useTeamList(term, MATCHES, kind === "team" && enabled);
  const list = kind === "person" ? people : teams;
  return {
    options: list.items.map((x) => ({ value: x.id, label: x.name })),
    hasMore: list.hasMore,
    fetching: list.query.isFetching,
  };
}

function useSelected(kind: Kind, ids: string[]): ComboboxItem[] {
  const people = useUsersById(kind === "person" ? ids : []);
  const teams = useTeamsById(kind === "team" ? ids : []);
  const byId = kind === "person" ? people : teams;
  return ids.map((id) => ({ value: id, label: byId.get(id)?.name ?? "…" }));
}

type SingleProps = Omit<SelectProps, "data" | "value" | "onChange" | "searchValue" | "onSearchChange"> & {
  value: string | null;
  onChange: (value: string | null) => void;
};

function EntitySelect({
  kind,
  value,
  onChange,
  onlyIds,
  ...rest
}: SingleProps & { kind: Kind; onlyIds?: readonly string[] | undefined }) {
  const selected = useSelected(kind, value ? [value] : []);
  const [opened, setOpened] = useState(false);
  const { search, setSearch, term } = useSearch(selected[0]?.label);
  const matches = useMatches(kind, term, opened && !onlyIds);
  // A short list known by id (a person's own teams): fetched by id and narrowed here.
  const few = useTeamsById(kind === "team" && onlyIds ? onlyIds : []);
  const fewMatches = [...few.values()]
    .filter((x) => x.name.toLowerCase().includes(term.toLowerCase()))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((x) => ({ value: x.id, label: x.name }));
  return (
    <Select
      {...rest}
      searchable
      data={
        onlyIds
          ? optionsOf(selected, fewMatches, false)
          : optionsOf(selected, opened ? matches.options : [], opened && matches.hasMore)
      }
      value={value}
      onChange={(v) => onChange(v === MORE ? value : v)}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setOpened(true)}
      filter={serverFiltered}
      nothingFoundMessage={matches.fetching ? t("common.loading") : t("picker.nothing")}
    />
  );
}

type MultiProps = Omit<MultiSelectProps, "data" | "value" | "onChange" | "searchValue" | "onSearchChange"> & {
  value: string[];
  onChange: (value: string[]) => void;
};

function EntityMultiSelect({ kind, value, onChange, ...rest }: MultiProps & { kind: Kind }) {
  const selected = useSelected(kind, value);
  const [opened, setOpened] = useState(false);
  const { search, setSearch, term } = useSearch(undefined);
  const matches = useMatches(kind, term, opened);
  return (
    <MultiSelect
      {...rest}
      searchable
      data={optionsOf(selected, opened ? matches.options : [], opened && matches.hasMore)}
      value={value}
      onChange={(v) => onChange(v.filter((x) => x !== MORE))}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setOpened(true)}
      filter={filterFor(search, term)}
      // Who is chosen shows as a pill: the list offers only whom to add, so ↓ and Enter never remove one.
      hidePickedOptions
      nothingFoundMessage={matches.fetching ? t("common.loading") : t("picker.nothing")}
    />
  );
}

/** One person, searched by name or email on the server. */
export const PersonSelect = (p: SingleProps) => <EntitySelect kind="person" {...p} />;
/** Several people, searched on the server. */
export const PeopleMultiSelect = (p: MultiProps) => <EntityMultiSelect kind="person" {...p} />;
/** One team, searched by name on the server; with `onlyIds`, one of those teams only. */
export const TeamSelect = (p: SingleProps & { onlyIds?: readonly string[] | undefined }) => (
  <EntitySelect kind="team" {...p} />
);
/** Several teams, searched on the server. */
export const TeamMultiSelect = (p: MultiProps) => <EntityMultiSelect kind="team" {...p} />;

/**
 * An objective or one of its key results (value `objective:<id>` or `keyResult:<id>`), found
 * by title, description or key result title on the server: what to align under.
 */
export function AlignTargetSelect({ value, onChange, ...rest }: SingleProps) {
  const [type, id] = value ? (value.split(":") as [string, string]) : [null, null];
  const objectives = useObjectivesById(type === "objective" && id ? [id] : []);
  const kr = useQuery({
    queryKey: keys.keyResult(id ?? ""),
    enabled: type === "keyResult" && !!id,
    queryFn: () => get<KeyResult>(`/key-results/${id}`),
  }).data;
  const selectedLabel =
    type === "objective" && id ? `◎ ${objectives.get(id)?.title ?? "…"}` : kr ? `◆ ${kr.title}` : undefined;
  const [opened, setOpened] = useState(false);
  const { search, setSearch, term } = useSearch(selectedLabel);
  const list = useObjectivePages(
    { q: term.replace(/^[◎◆]\s*/, "") || undefined },
    { pageSize: MATCHES, enabled: opened },
  );
  const matches = list.items.flatMap((o) => [
    { value: `objective:${o.id}`, label: `◎ ${o.title}` },
    ...o.keyResults.map((k) => ({ value: `keyResult:${k.id}`, label: `◆ ${k.title} — ${o.title}` })),
  ]);
  const selected = value && selectedLabel ? [{ value, label: selectedLabel }] : [];
  return (
    <Select
      {...rest}
      searchable
      data={optionsOf(selected, opened ? matches : [], opened && list.hasMore)}
      value={value}
      onChange={(v) => onChange(v === MORE ? value : v)}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setOpened(true)}
      filter={serverFiltered}
      nothingFoundMessage={list.query.isFetching ? t("common.loading") : t("picker.nothing")}
    />
  );
}
