import { Table } from "@mantine/core";
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useLayoutEffect, useRef, useState } from "react";

/**
 * A table body that renders only the rows near the viewport (the page scrolls; spacer rows
 * keep the table's height), so thousands of rows cost what a screenful costs. Rows keep their
 * table semantics; each is measured, so heights may vary.
 */
export function VirtualTableBody<T>({
  rows,
  getKey,
  estimate,
  renderCells,
}: {
  rows: readonly T[];
  getKey: (row: T) => string;
  /** A row's likely height in pixels, before it is measured. */
  estimate: number;
  /** The row's cells (`Table.Td`s). */
  renderCells: (row: T) => ReactNode;
}) {
  const ref = useRef<HTMLTableSectionElement>(null);
  const [margin, setMargin] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el) setMargin(el.getBoundingClientRect().top + window.scrollY);
  });
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: () => estimate,
    overscan: 10,
    scrollMargin: margin,
    getItemKey: (i) => {
      const row = rows[i];
      return row ? getKey(row) : i;
    },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items.at(-1);
  const top = first ? first.start - margin : 0;
  const bottom = last ? virtualizer.getTotalSize() - (last.end - margin) : 0;
  return (
    <Table.Tbody ref={ref}>
      {top > 0 && <tr aria-hidden style={{ height: top }} />}
      {items.map((v) => {
        const row = rows[v.index] as T;
        return (
          <Table.Tr key={getKey(row)} data-index={v.index} ref={virtualizer.measureElement}>
            {renderCells(row)}
          </Table.Tr>
        );
      })}
      {bottom > 0 && <tr aria-hidden style={{ height: bottom }} />}
    </Table.Tbody>
  );
}
