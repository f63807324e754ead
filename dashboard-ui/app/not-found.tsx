import Link from "next/link";

import { Button } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="grid min-h-screen place-items-center px-6 text-center">
      <div className="flex flex-col items-center gap-3">
        <p className="text-label font-medium uppercase tracking-wide text-muted">404</p>
        <h1 className="text-title">This page does not exist</h1>
        <Button asChild>
          <Link href="/patients">Go to Patients</Link>
        </Button>
      </div>
    </main>
  );
}
