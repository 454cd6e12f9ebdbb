import { Table, VisuallyHidden } from "@mantine/core";

/** A column's heading, with the column's width where it needs a fixed one. */
export type TableColumn = string | { label: string; w?: number };

const column = (c: TableColumn) => (typeof c === "string" ? { label: c } : c);

/**
 * A table's heading row. `actions` names the last column, the one with each row's buttons: the
 * name is there for screen readers, not shown (the buttons say what they do).
 */
export function TableHead({ columns, actions }: { columns: TableColumn[]; actions?: TableColumn }) {
  const last = actions === undefined ? undefined : column(actions);
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map(column).map(({ label, w }) => (
          <Table.Th key={label} w={w}>
            {label}
          </Table.Th>
        ))}
        {last && (
          <Table.Th w={last.w} data-no-label>
            <VisuallyHidden>{last.label}</VisuallyHidden>
          </Table.Th>
        )}
      </Table.Tr>
    </Table.Thead>
  );
}
