import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "../../test/dom";
import { FacetList, facetRows } from "./FacetList";
import { TRACE_FIELDS } from "./query";

const groups = [
  { field: "service", values: [{ value: "checkout", count: 300 }, { value: "cart", count: 100 }] },
  { field: "http.route", values: [{ value: "/cart", count: 50 }], removable: true },
];

describe("FacetList", () => {
  it("adds field:value on click and -field:value on Alt-click", () => {
    const onChange = vi.fn();
    render(<FacetList groups={groups} query="" onQueryChange={onChange} builtinFields={TRACE_FIELDS} />);
    fireEvent.click(screen.getByTitle(/^service:checkout/));
    expect(onChange).toHaveBeenLastCalledWith("service:checkout");
    fireEvent.click(screen.getByTitle(/^@http.route:\/cart/), { altKey: true });
    expect(onChange).toHaveBeenLastCalledWith("-@http.route:/cart");
    fireEvent.click(screen.getByLabelText("exclude cart"));
    expect(onChange).toHaveBeenLastCalledWith("-service:cart");
  });

  it("marks the queried values and removes them on a second click", () => {
    const onChange = vi.fn();
    render(
      <FacetList groups={groups} query="service:checkout x" onQueryChange={onChange} builtinFields={TRACE_FIELDS} />,
    );
    const row = screen.getByTitle(/^service:checkout/);
    expect(row.getAttribute("aria-checked")).toBe("true");
    fireEvent.click(row);
    expect(onChange).toHaveBeenLastCalledWith("x");
  });

  it("draws counts as bars relative to the group's largest", () => {
    render(<FacetList groups={groups} query="" onQueryChange={() => {}} builtinFields={TRACE_FIELDS} />);
    const row = screen.getByTitle(/^service:cart/);
    expect((row.querySelector(".bar") as HTMLElement).style.width).toBe(`${(100 * 100) / 300}%`);
    expect(within(row).getByText("100")).toBeTruthy();
  });

  it("keeps an excluded value visible so it can be removed", () => {
    const rows = facetRows(groups[0], "-service:payment", TRACE_FIELDS);
    expect(rows.map((r) => r.value)).toEqual(["checkout", "cart", "payment"]);
    const onChange = vi.fn();
    render(<FacetList groups={groups} query="-service:payment" onQueryChange={onChange} builtinFields={TRACE_FIELDS} />);
    const row = screen.getByTitle(/^service:payment/);
    expect(row.className).toContain("exclude");
    fireEvent.click(row, { altKey: true });
    expect(onChange).toHaveBeenLastCalledWith("");
  });

  it("adds and removes attribute facets", () => {
    const onAdd = vi.fn();
    const onRemove = vi.fn();
    render(
      <FacetList
        groups={groups}
        query=""
        onQueryChange={() => {}}
        builtinFields={TRACE_FIELDS}
        onAddField={onAdd}
        onRemoveField={onRemove}
      />,
    );
    const input = screen.getByLabelText("add facet");
    fireEvent.change(input, { target: { value: "@order.id" } });
    fireEvent.submit(input.closest("form")!);
    expect(onAdd).toHaveBeenCalledWith("order.id");
    fireEvent.click(screen.getByLabelText("remove facet http.route"));
    expect(onRemove).toHaveBeenCalledWith("http.route");
  });
});
