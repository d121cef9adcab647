import { useMemo, type KeyboardEvent, type ReactNode } from "react";
import { useParam } from "../state/globals";
import { formatSort, parseSort, sortRows, type SortValue } from "./sort";

export interface Column<T> {
  key: string;
  header: ReactNode;
  // The value sorted by; columns without one are not sortable.
  sortValue?: (row: T) => SortValue;
  render: (row: T) => ReactNode;
  numeric?: boolean;
  title?: string;
  // Sort descending first (numbers usually).
  descFirst?: boolean;
}

export interface DataTableProps<T> {
  rows: readonly T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  // URL parameter holding the sort ("-p95_ms"), so the sort is part of the shareable state.
  sortParam: string;
  defaultSort: string;
  testId?: string;
  rowTestId?: string;
  empty?: ReactNode;
  onRowClick?: (row: T) => void;
}

// A dense table sortable by every column with a sortValue; the sort lives in the URL. Keyboard:
// Tab to a header, Enter or Space sorts by it.
export function DataTable<T>(props: DataTableProps<T>) {
  const { rows, columns, rowKey, sortParam, defaultSort, testId, rowTestId, empty, onRowClick } = props;
  const [sortText, setSortText] = useParam(sortParam, defaultSort);
  const spec = parseSort(sortText, parseSort(defaultSort, { key: columns[0]?.key ?? "", desc: false }));
  const sortColumn = columns.find((c) => c.key === spec.key && c.sortValue);
  const sorted = useMemo(
    () => (sortColumn?.sortValue ? sortRows(rows, sortColumn.sortValue, spec.desc) : [...rows]),
    [rows, sortColumn, spec.desc],
  );
  const sortBy = (c: Column<T>) => {
    if (!c.sortValue) return;
    const desc = c.key === spec.key ? !spec.desc : Boolean(c.descFirst);
    setSortText(formatSort({ key: c.key, desc }));
  };
  const onKey = (e: KeyboardEvent, c: Column<T>) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      sortBy(c);
    }
  };
  return (
    <table className="data" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => {
            const active = c.key === spec.key && c.sortValue !== undefined;
            return (
              <th
                key={c.key}
                className={(c.numeric ? "num " : "") + (c.sortValue ? "sortable" : "unsortable")}
                title={c.title}
                tabIndex={c.sortValue ? 0 : undefined}
                aria-sort={active ? (spec.desc ? "descending" : "ascending") : undefined}
                onClick={() => sortBy(c)}
                onKeyDown={(e) => onKey(e, c)}
                data-testid={`sort-${c.key}`}
              >
                {c.header}
                <span className="sort-mark">{active ? (spec.desc ? " ▾" : " ▴") : ""}</span>
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {sorted.length === 0 && empty ? (
          <tr>
            <td colSpan={columns.length} className="empty">
              {empty}
            </td>
          </tr>
        ) : (
          sorted.map((row) => (
            <tr
              key={rowKey(row)}
              data-testid={rowTestId}
              onClick={onRowClick ? () => onRowClick(row) : undefined}
              className={onRowClick ? "clickable" : undefined}
            >
              {columns.map((c) => (
                <td key={c.key} className={c.numeric ? "num" : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
