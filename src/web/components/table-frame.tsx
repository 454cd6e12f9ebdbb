import { Table } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { type ReactNode, useLayoutEffect, useRef } from "react";

/** The width below which a table is shown as a list of cards (Mantine's `sm` breakpoint). */
export const PHONE_QUERY = "(max-width: 48em)";

/**
 * Writes each body cell's column heading into its `data-label`, which the phone layout shows
 * before the cell's value (styles.css, `.okra-table-list`). Headings marked `data-no-label`
 * (a row's buttons) and cells spanning several columns get none. Rows added later (paging,
 * a virtual list scrolling) are labelled as they arrive.
 */
function labelCells(root: HTMLElement) {
  for (const table of Array.from(root.querySelectorAll("table"))) {
    const headings = Array.from(table.querySelectorAll(":scope > thead > tr:first-child > th")).map((th) =>
      th.hasAttribute("data-no-label") ? "" : (th.textContent ?? "").trim(),
    );
    for (const row of Array.from(table.querySelectorAll(":scope > tbody > tr"))) {
      let column = 0;
      for (const cell of Array.from(row.children)) {
        const span = (cell as HTMLTableCellElement).colSpan || 1;
        const label = span === 1 ? headings[column] : "";
        if (label) {
          if (cell.getAttribute("data-label") !== label) cell.setAttribute("data-label", label);
        } else if (cell.hasAttribute("data-label")) cell.removeAttribute("data-label");
        column += span;
      }
    }
  }
}

/**
 * Holds a table. On a wide screen the table keeps its columns and scrolls sideways below
 * `minWidth`; on a phone each row becomes a card that lists its cells under their headings,
 * so nothing is off the screen's edge and the page never scrolls sideways.
 */
export function TableFrame({ minWidth, children }: { minWidth: number; children: ReactNode }) {
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const root = ref.current;
    if (!phone || !root) return;
    labelCells(root);
    const watch = new MutationObserver(() => labelCells(root));
    watch.observe(root, { childList: true, subtree: true, characterData: true });
    return () => watch.disconnect();
  }, [phone]);
  if (!phone) return <Table.ScrollContainer minWidth={minWidth}>{children}</Table.ScrollContainer>;
  return (
    <div ref={ref} className="okra-table-list">
      {children}
    </div>
  );
}
