"use client";

import { Loader2 } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { ApiError, api } from "@/lib/api/client";
import { loginHref, safeNext } from "@/lib/auth";
import { rememberRole } from "@/lib/use-role";

export function LoginForm() {
  const params = useSearchParams();
  const next = safeNext(params.get("next"));
  const expired = params.get("reason") === "expired";
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Without a session the middleware serves this form in place of the page that was asked for
  // (a rewrite, see middleware.ts): show the sign-in address, remembering that page.
  useEffect(() => {
    const { pathname, search } = window.location;
    if (!pathname.startsWith("/login")) window.history.replaceState(null, "", loginHref(`${pathname}${search}`));
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.login({ username: username.trim(), password });
      rememberRole(me.role); // the navigation's role until /api/auth/me answers
      // A full load, so every cache starts clean for this user; `next` as the address bar has it.
      window.location.assign(safeNext(new URLSearchParams(window.location.search).get("next") ?? next));
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === "invalid_credentials") {
        setError("Wrong username or password.");
      } else {
        setError(caught instanceof ApiError ? caught.message : "Could not sign in. Try again.");
      }
      setBusy(false);
    }
  };

  return (
    <Card>
      <CardContent className="flex flex-col gap-5">
        <div>
          <h1 className="text-title">Sign in</h1>
          <p className="mt-1 text-muted">
            {expired ? "Your session ended. Sign in again to continue." : "Use your clinic account."}
          </p>
        </div>
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="username">Username</Label>
            <Input
              id="username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="password">Password</Label>
            <Input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          {error ? (
            <p role="alert" className="rounded-control bg-negative-soft px-3 py-2 text-negative">
              {error}
            </p>
          ) : null}
          <Button type="submit" disabled={busy || !username.trim() || !password} className="w-full">
            {busy ? <Loader2 aria-hidden="true" className="h-4 w-4 animate-spin" /> : null}
            {busy ? "Signing in…" : "Sign in"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
