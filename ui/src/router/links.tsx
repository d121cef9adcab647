import { useEffect, type AnchorHTMLAttributes, type MouseEvent } from "react";
import { resolveTo, useRouter, type NavigateOptions } from "./history";

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> {
  to: string;
  replace?: boolean;
}

// Whether a click should stay in the app (plain left click, no new tab/window asked for).
function isPlainClick(e: MouseEvent<HTMLAnchorElement>, target: string | undefined): boolean {
  return e.button === 0 && !e.metaKey && !e.altKey && !e.ctrlKey && !e.shiftKey && (!target || target === "_self");
}

// An <a> to an app path: a plain click navigates in the app, other clicks behave like a link.
export function Link({ to, replace, onClick, target, ...rest }: LinkProps) {
  const { navigate } = useRouter();
  return (
    <a
      {...rest}
      href={to}
      target={target}
      onClick={(e) => {
        onClick?.(e);
        if (e.defaultPrevented || !isPlainClick(e, target)) return;
        e.preventDefault();
        navigate(to, { replace });
      }}
    />
  );
}

export interface NavLinkProps extends Omit<LinkProps, "className"> {
  className?: string | ((state: { isActive: boolean }) => string);
}

// A Link that knows whether the location is at its path or below it (class "active" by default).
export function NavLink({ className, ...rest }: NavLinkProps) {
  const { location } = useRouter();
  const path = resolveTo(rest.to, location).pathname.replace(/\/$/, "");
  const isActive = location.pathname === path || location.pathname.startsWith(`${path}/`);
  const cls = typeof className === "function" ? className({ isActive }) : [className, isActive ? "active" : ""].filter(Boolean).join(" ");
  return <Link {...rest} className={cls || undefined} aria-current={isActive ? "page" : undefined} />;
}

// Navigates to `to` once rendered.
export function Navigate({ to, replace }: { to: string } & NavigateOptions) {
  const { navigate } = useRouter();
  useEffect(() => navigate(to, { replace }), [navigate, to, replace]);
  return null;
}
