import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useLayoutEffect, useRef, useState } from "react";

/**
 * A long list rendered a window at a time: only the rows near the viewport are in the page,
 * so 400 cards or 5,000 rows cost what a screenful costs. The page itself scrolls (no inner
 * scroll box); rows may have any height (each is measured). `cols` items share a row.
 */
export function VirtualRows<T>({
  items,
  cols = 1,
  estimate,
  getKey,
  gap = 16,
  render,
}: {
  items: readonly T[];
  cols?: number;
  /** A row's likely height in pixels, before it is measured. */
  estimate: number;
  getKey: (item: T) => string;
  gap?: number;
  render: (item: T) => ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [margin, setMargin] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el) setMargin(el.getBoundingClientRect().top + window.scrollY);
  });
  const rows = Math.ceil(items.length / cols);
  const virtualizer = useWindowVirtualizer({
    count: rows,
    estimateSize: () => estimate + gap,
    overscan: 4,
    scrollMargin: margin,
    getItemKey: (i) => {
      const first = items[i * cols];
      return first ? getKey(first) : i;
    },
  });
  return (
    <div ref={ref} style={{ position: "relative", height: virtualizer.getTotalSize(), width: "100%" }}>
      {virtualizer.getVirtualItems().map((row) => (
        <div
          key={row.key}
          data-index={row.index}
          ref={virtualizer.measureElement}
          style={{
            position: "absolute",
            top: 0,
            left: 0,
            width: "100%",
            transform: `translateY(${row.start - virtualizer.options.scrollMargin}px)`,
            paddingBottom: gap,
            display: "grid",
            gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`,
            gap,
            alignItems: "start",
          }}
        >
          {items.slice(row.index * cols, row.index * cols + cols).map((it) => (
            <div key={getKey(it)} style={{ minWidth: 0 }}>
              {render(it)}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
