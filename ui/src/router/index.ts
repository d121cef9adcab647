// A small client-side router with the subset of the react-router API the app uses.
export { BrowserRouter, MemoryRouter, type Location, type NavigateOptions } from "./history";
export { Route, Routes, Outlet, matchPath, type RouteProps } from "./routes";
export { Link, NavLink, Navigate, type LinkProps, type NavLinkProps } from "./links";
export { useLocation, useNavigate, useParams, useSearchParams } from "./hooks";
