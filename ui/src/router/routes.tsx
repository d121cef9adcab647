import { Children, createContext, isValidElement, useContext, type ReactElement, type ReactNode } from "react";
import { useRouter } from "./history";

// What a matched route gives its element: the path parameters and the nested route to show.
interface RouteMatch {
  params: Record<string, string | undefined>;
  outlet: ReactNode;
}

export const RouteContext = createContext<RouteMatch>({ params: {}, outlet: null });

export interface RouteProps {
  // "/a/:param/b", "*" (anything), or absent for a layout route that only wraps its children.
  path?: string;
  element?: ReactNode;
  children?: ReactNode;
}

// Declares one route inside <Routes>; renders nothing by itself.
export function Route(_props: RouteProps): ReactElement | null {
  return null;
}

// The parameters when `pattern` matches the whole `pathname` (trailing "/" ignored), else null.
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const have = pathname.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w === "*") {
      params["*"] = have.slice(i).join("/");
      return params;
    }
    if (i >= have.length) return null;
    if (w.startsWith(":")) {
      try {
        params[w.slice(1)] = decodeURIComponent(have[i]);
      } catch {
        params[w.slice(1)] = have[i];
      }
    } else if (w !== have[i]) {
      return null;
    }
  }
  return want.length === have.length ? params : null;
}

interface Matched {
  element: ReactNode;
  params: Record<string, string>;
}

// The chain of route elements (outermost first) that `pathname` selects, or null.
function matchRoutes(children: ReactNode, pathname: string): Matched[] | null {
  for (const child of Children.toArray(children)) {
    if (!isValidElement(child)) continue;
    const props = child.props as RouteProps;
    if (props.path === undefined) {
      const inner = matchRoutes(props.children, pathname);
      if (inner) return [{ element: props.element, params: {} }, ...inner];
      continue;
    }
    const params = matchPath(props.path, pathname);
    if (params) return [{ element: props.element, params }];
  }
  return null;
}

// Renders the first <Route> (in order, layout routes searched depth-first) matching the
// location; nothing when none does.
export function Routes({ children }: { children?: ReactNode }) {
  const { location } = useRouter();
  const parent = useContext(RouteContext);
  const chain = matchRoutes(children, location.pathname);
  if (!chain) return null;
  const params = Object.assign({}, parent.params, ...chain.map((m) => m.params));
  let outlet: ReactNode = null;
  for (let i = chain.length - 1; i >= 0; i--) {
    outlet = <RouteContext.Provider value={{ params, outlet }}>{chain[i].element}</RouteContext.Provider>;
  }
  return <>{outlet}</>;
}

// Where a layout route shows its matched child route.
export function Outlet() {
  return <>{useContext(RouteContext).outlet}</>;
}
