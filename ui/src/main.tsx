// The entry script: small on purpose. It starts the current page's chunk and API requests, then
// loads React and the app, so the three load in parallel instead of one after the other.
import { startRoutePrefetch } from "./boot/routePrefetch";
import "./styles.css";

startRoutePrefetch(window.location);
void import("./mount");
