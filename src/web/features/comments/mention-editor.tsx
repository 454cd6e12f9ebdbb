import { Combobox, Group, Text, Textarea, useCombobox } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { type KeyboardEvent, useRef, useState } from "react";
import { t } from "../../lib/i18n.js";
import { useUserList } from "../../lib/queries.js";
import { mentionQuery, type Picked } from "./mention-text.js";

/**
 * A comment box with an @mention picker: typing `@` and part of a name searches the
 * organisation's people on the server (`GET /users?q=`); picking one writes `@Name` and
 * remembers who it is. Enter inside the list picks; elsewhere it is a new line.
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
    if (e.key === "Escape" && combobox.dropdownOpened) {
      e.stopPropagation();
      setQuery(null);
      combobox.closeDropdown();
    }
  };

  return (
    <Combobox store={combobox} onOptionSubmit={pick} position="bottom-start" withinPortal>
      <Combobox.Target targetType="input" withKeyboardNavigation={combobox.dropdownOpened}>
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
      </Combobox.Target>
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
