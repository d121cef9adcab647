import { describe, expect, it, vi, beforeEach } from "vitest";
import { fireEvent, render, screen } from "../../test/dom";
import { SearchBar } from "./SearchBar";

beforeEach(() => localStorage.clear());

describe("SearchBar", () => {
  it("submits the draft on Enter and clears with the × button", () => {
    const onSubmit = vi.fn();
    render(<SearchBar value="service:a" onSubmit={onSubmit} />);
    const input = screen.getByTestId("search-input") as HTMLInputElement;
    expect(input.value).toBe("service:a");
    fireEvent.change(input, { target: { value: "service:a status:error " } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onSubmit).toHaveBeenLastCalledWith("service:a status:error");
    fireEvent.click(screen.getByLabelText("clear query"));
    expect(onSubmit).toHaveBeenLastCalledWith("");
    expect(input.value).toBe("");
  });

  it("reverts the draft on Escape", () => {
    render(<SearchBar value="x" onSubmit={() => {}} />);
    const input = screen.getByTestId("search-input") as HTMLInputElement;
    fireEvent.change(input, { target: { value: "y" } });
    fireEvent.keyDown(input, { key: "Escape" }); // closes the menu (none here) then reverts
    fireEvent.keyDown(input, { key: "Escape" });
    expect(input.value).toBe("x");
  });

  it("suggests field names for the word being typed and inserts `field:`", () => {
    const onSubmit = vi.fn();
    render(<SearchBar value="" onSubmit={onSubmit} fields={["service", "status", "@http.route"]} />);
    const input = screen.getByTestId("search-input") as HTMLInputElement;
    fireEvent.focus(input);
    fireEvent.change(input, { target: { value: "st", selectionStart: 2 } });
    const options = screen.getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["status:field"]);
    fireEvent.keyDown(input, { key: "Enter" });
    expect(input.value).toBe("status:");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("remembers submitted queries and offers them when empty", () => {
    const { unmount } = render(<SearchBar value="" onSubmit={() => {}} historyKey="t" />);
    const input = screen.getByTestId("search-input") as HTMLInputElement;
    fireEvent.change(input, { target: { value: "service:cart" } });
    fireEvent.keyDown(input, { key: "Enter" });
    unmount();
    const onSubmit = vi.fn();
    render(<SearchBar value="" onSubmit={onSubmit} historyKey="t" />);
    const again = screen.getByTestId("search-input");
    fireEvent.focus(again);
    const option = screen.getByRole("option");
    expect(option.textContent).toContain("service:cart");
    fireEvent.mouseDown(option);
    expect(onSubmit).toHaveBeenCalledWith("service:cart");
  });

  it("shows a server error", () => {
    render(<SearchBar value="(" onSubmit={() => {}} error="position 0: unclosed '('" />);
    expect(screen.getByRole("alert").textContent).toBe("position 0: unclosed '('");
    expect(screen.getByTestId("search-input").getAttribute("aria-invalid")).toBe("true");
  });
});
