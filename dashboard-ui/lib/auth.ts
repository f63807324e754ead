/** Where sign-in lives and how to come back from it. The session itself is an HttpOnly cookie. */
export const SESSION_COOKIE = "medspa_session";

/** Only same-site relative paths are followed after sign-in (no open redirects). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/login")) return "/patients";
  return next;
}

export function loginHref(next: string, reason?: "expired"): string {
  const params = new URLSearchParams({ next });
  if (reason) params.set("reason", reason);
  return `/login?${params.toString()}`;
}

/** Send the browser to sign-in, remembering the page it was on. */
export function redirectToLogin(reason?: "expired"): void {
  if (window.location.pathname.startsWith("/login")) return;
  window.location.assign(loginHref(`${window.location.pathname}${window.location.search}`, reason));
}
