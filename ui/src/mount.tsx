import { createRoot } from "react-dom/client";
import { App } from "./App";
import { BrowserRouter } from "./router";

// Renders the app into #root.
createRoot(document.getElementById("root")!).render(
  <BrowserRouter>
    <App />
  </BrowserRouter>,
);
