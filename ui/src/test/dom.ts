// Component-test helpers: @testing-library/preact with a fireEvent that behaves like React's
// testing library on the app's React-style handlers (run under preact/compat): each event is
// dispatched inside act() so renders flush before the next line, `change` reaches text inputs'
// onChange (compat listens to "input" there), and focus/blur also fire focusin/focusout (what
// compat's onFocus/onBlur listen to, as React does).
import { act } from "@testing-library/preact";
import { createEvent, fireEvent as domFireEvent } from "@testing-library/dom";

export * from "@testing-library/preact";

type Init = Record<string, unknown> | undefined;
type Fire = (element: Document | Element | Window | Node, init?: Init) => boolean;

function inAct(fire: () => boolean): boolean {
  let result = false;
  act(() => {
    result = fire();
  });
  return result;
}

// Text fields report edits with "input"; selects, checkboxes, radios and file inputs with "change".
function changeEventOf(element: unknown): "input" | "change" {
  if (element instanceof HTMLTextAreaElement) return "input";
  if (element instanceof HTMLInputElement && !/^(checkbox|radio|file)$/i.test(element.type)) return "input";
  return "change";
}

const special: Record<string, Fire> = {
  change: (element, init) => {
    const fired = domFireEvent(element, createEvent.change(element, init));
    return changeEventOf(element) === "input" ? domFireEvent(element, createEvent.input(element)) && fired : fired;
  },
  focus: (element, init) => domFireEvent.focus(element, init) && domFireEvent.focusIn(element, init),
  blur: (element, init) => domFireEvent.blur(element, init) && domFireEvent.focusOut(element, init),
};

type FireEvent = ((element: Document | Element | Window | Node, event: Event) => boolean) & {
  [K in keyof typeof domFireEvent]: Fire;
};

export const fireEvent = ((element: Document | Element | Window | Node, event: Event) =>
  inAct(() => domFireEvent(element, event))) as FireEvent;
for (const key of Object.keys(domFireEvent) as (keyof typeof domFireEvent)[]) {
  const fire: Fire = special[key] ?? ((element, init) => (domFireEvent[key] as Fire)(element, init));
  fireEvent[key] = (element, init) => inAct(() => fire(element, init));
}
