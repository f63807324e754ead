import type { LucideIcon } from "lucide-react";
import Link from "next/link";

import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";

export function ComingSoon({ icon: Icon, title, body }: { icon: LucideIcon; title: string; body: string }) {
  return (
    <Card>
      <CardContent className="flex flex-col items-center gap-3 px-6 py-16 text-center">
        <span className="grid h-12 w-12 place-items-center rounded-full bg-primary-soft text-primary">
          <Icon aria-hidden="true" className="h-6 w-6" />
        </span>
        <h2 className="text-base font-semibold">{title}</h2>
        <p className="max-w-md text-muted">{body}</p>
        <Button asChild variant="secondary" className="mt-2">
          <Link href="/patients">Go to Patients</Link>
        </Button>
      </CardContent>
    </Card>
  );
}
