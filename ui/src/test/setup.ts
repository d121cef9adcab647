import { options } from "preact";
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/preact";

// Effects run on a timer rather than an animation frame: jsdom's frames stop with the
// environment, which would leave effects of the last test pending.
options.requestAnimationFrame = (callback) => setTimeout(callback);

afterEach(() => cleanup());
