"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import { useState, type ReactNode } from "react";

import { ApiError } from "@/lib/api/client";
import { redirectToLogin } from "@/lib/auth";

/** Any 401 (no session, session ended) sends the user to sign in and back. */
const onError = (error: unknown) => {
  if (error instanceof ApiError && error.unauthenticated) redirectToLogin("expired");
};

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError }),
        mutationCache: new MutationCache({ onError }),
        defaultOptions: {
          queries: {
            staleTime: 60_000,
            refetchOnWindowFocus: false,
            // A wrong query (4xx) will not get better by asking again; a blip (5xx, network) might.
            retry: (failures, error) => (error instanceof ApiError ? error.retryable && failures < 1 : failures < 1),
          },
        },
      }),
  );
  return (
    <NuqsAdapter>
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </NuqsAdapter>
  );
}
