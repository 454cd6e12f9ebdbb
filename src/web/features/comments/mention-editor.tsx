import { Box, Combobox, Group, Text, Textarea, useCombobox } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { t } from "../../lib/i18n.js";
import { useUserList } from "../../lib/queries.js";
import { mentionQuery, type Picked } from "./mention-text.js";

/**
 * A comment box with an @mention picker: typing `@` and part of a name searches the
 * organisation's people on the server (`GET /users?q=`); picking one writes `@Name` and
 * remembers who it is. While the list is open its first person is highlighted, and Enter or
 * Tab picks the highlighted one; elsewhere Enter is a new line. The list opens below the box,
 * or above its label and hint when there is no room below, so it never hides them.
 */
export function MentionEditor({
  value,
  onChange,
  picked,
  onPick,
  label,
  autoFocus,
  onSubmitShortcut,
}: {
  value: string;
  onChange: (text: string) => void;
  picked: Picked;
  onPick: (picked: Picked) => void;
  label: string;
  autoFocus?: boolean;
  /** Ctrl/Cmd + Enter. */
  onSubmitShortcut?: () => void;
}) {
  const combobox = useCombobox();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [query, setQuery] = useState<{ start: number; term: string } | null>(null);
  const [term] = useDebouncedValue(query?.term ?? "", 200);
  const people = useUserList(term, 8, query !== null);
  const matches = people.items.filter((u) => u.active !== false);
  const listed = query === null ? "" : matches.map((u) => u.id).join(",");

  // Highlight the first person whenever the list shows a new set of people.
  useEffect(() => {
    if (listed !== "") requestAnimationFrame(() => combobox.selectFirstOption());
  }, [listed, combobox]);

  const track = (text: string, caret: number) => {
    const q = mentionQuery(text, caret);
    setQuery(q);
    if (q) combobox.openDropdown();
    else combobox.closeDropdown();
  };

  const pick = (userId: string) => {
    const person = matches.find((u) => u.id === userId);
    if (!person || !query) return;
    const shown = `@${person.name.replace(/[\]\n\r]/g, "").trim()}`;
    const caret = query.start + 1 + query.term.length;
    const next = `${value.slice(0, query.start)}${shown} ${value.slice(caret)}`;
    onChange(next);
    onPick(new Map(picked).set(shown, person.id));
    setQuery(null);
    combobox.closeDropdown();
    const at = query.start + shown.length + 1;
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(at, at);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && onSubmitShortcut) {
      e.preventDefault();
      onSubmitShortcut();
    }
    const choosing = combobox.dropdownOpened && query !== null && matches.length > 0;
    if (choosing && (e.key === "Enter" || e.key === "Tab") && !e.shiftKey && !e.ctrlKey && !e.metaKey) {
      // Enter on a highlighted person is picked by the combobox itself; otherwise pick here.
      const highlighted = combobox.getSelectedOptionIndex() !== -1;
      if (e.key === "Tab" || !highlighted) {
        e.preventDefault();
        if (highlighted) combobox.clickSelectedOption();
        else if (matches[0]) pick(matches[0].id);
      }
    }
    if (e.key === "Escape" && combobox.dropdownOpened) {
      e.stopPropagation();
      setQuery(null);
      combobox.closeDropdown();
    }
  };

  return (
    <Combobox store={combobox} onOptionSubmit={pick} position="bottom-start" withinPortal>
      <Combobox.DropdownTarget>
        <Box>
          <Combobox.EventsTarget targetType="input" withKeyboardNavigation={combobox.dropdownOpened}>
            <Textarea
              ref={ref}
              label={label}
              description={t("comments.mentionHelp")}
              placeholder={t("comments.placeholder")}
              autosize
              minRows={2}
              maxRows={12}
              maxLength={10_000}
              value={value}
              autoFocus={autoFocus}
              onChange={(e) => {
                onChange(e.currentTarget.value);
                track(e.currentTarget.value, e.currentTarget.selectionStart ?? e.currentTarget.value.length);
              }}
              onClick={(e) => track(e.currentTarget.value, e.currentTarget.selectionStart ?? 0)}
              onKeyDown={onKeyDown}
              onBlur={() => combobox.closeDropdown()}
            />
          </Combobox.EventsTarget>
        </Box>
      </Combobox.DropdownTarget>
      <Combobox.Dropdown hidden={query === null}>
        <Combobox.Options aria-label={t("comments.label")}>
          {matches.length === 0 ? (
            <Combobox.Empty>{people.query.isFetching ? "…" : t("comments.noMatches")}</Combobox.Empty>
          ) : (
            matches.map((u) => (
              <Combobox.Option value={u.id} key={u.id}>
                <Group gap="xs" wrap="nowrap">
                  <Text size="sm">{u.name}</Text>
                  <Text size="xs" c="dimmed" truncate>
                    {u.email}
                  </Text>
                </Group>
              </Combobox.Option>
            ))
          )}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
