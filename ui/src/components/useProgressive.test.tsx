import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "../test/dom";
import { useProgressive } from "./useProgressive";

function List({ n }: { n: number }) {
  const shown = useProgressive(n, 3);
  return <div data-testid="n">{shown}</div>;
}

describe("useProgressive", () => {
  it("renders the first items, then all of them", async () => {
    render(<List n={10} />);
    expect(screen.getByTestId("n").textContent).toBe("3");
    await waitFor(() => expect(screen.getByTestId("n").textContent).toBe("10"));
  });

  it("renders a short list whole at once, and a grown list whole after a paint", async () => {
    const { rerender } = render(<List n={2} />);
    expect(screen.getByTestId("n").textContent).toBe("2");
    rerender(<List n={7} />);
    await waitFor(() => expect(screen.getByTestId("n").textContent).toBe("7"));
  });
});
