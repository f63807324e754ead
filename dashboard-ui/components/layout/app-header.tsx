"use client";

import { Menu, X } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";

import { UserMenu } from "@/components/auth/user-menu";
import { Button } from "@/components/ui/button";
import { useRole } from "@/lib/use-role";
import { cn } from "@/lib/utils";

import { HealthStatus } from "./health-status";
import { navItemsFor, type NavItem } from "./nav-items";

/** Top bar: brand, primary nav (a disclosure menu under `md`), and the API/database status. */
export function AppHeader() {
  const pathname = usePathname();
  const { role } = useRole();
  const items = navItemsFor(role ?? undefined);
  const [open, setOpen] = useState(false);

  // Close the phone menu whenever the route changes.
  useEffect(() => setOpen(false), [pathname]);

  const isActive = (href: string) => pathname === href || pathname.startsWith(`${href}/`);

  return (
    <header className="sticky top-0 z-40 border-b border-border bg-surface/95 backdrop-blur supports-[backdrop-filter]:bg-surface/85">
      <div className="mx-auto flex h-14 w-full max-w-[1440px] items-center gap-6 px-4 sm:px-6 lg:px-8">
        <Link href="/patients" className="flex items-center gap-2 rounded-control font-semibold text-ink">
          <span
            aria-hidden="true"
            className="grid h-7 w-7 place-items-center rounded-full bg-primary text-[13px] font-semibold text-primary-ink"
          >
            B
          </span>
          <span className="text-[15px] tracking-tight">Beauty Med Spa</span>
        </Link>

        <nav aria-label="Main" className="hidden md:block">
          <NavList items={items} isActive={isActive} variant="bar" />
        </nav>

        <div className="ml-auto flex items-center gap-2">
          <HealthStatus />
          <UserMenu />
          <Button
            variant="ghost"
            size="icon"
            className="md:hidden"
            aria-expanded={open}
            aria-controls="mobile-nav"
            aria-label={open ? "Close menu" : "Open menu"}
            onClick={() => setOpen((value) => !value)}
          >
            {open ? <X className="h-5 w-5" /> : <Menu className="h-5 w-5" />}
          </Button>
        </div>
      </div>

      {open ? (
        <nav id="mobile-nav" aria-label="Main" className="border-t border-border bg-surface md:hidden">
          <NavList items={items} isActive={isActive} variant="menu" />
        </nav>
      ) : null}
    </header>
  );
}

const NAV_STYLES = {
  bar: {
    list: "flex items-center gap-1",
    link: "inline-flex h-9 items-center gap-2 rounded-full px-3 font-medium text-muted transition-colors hover:bg-subtle hover:text-ink",
    active: "bg-primary-soft text-primary hover:bg-primary-soft hover:text-primary",
  },
  menu: {
    list: "flex flex-col px-4 py-2",
    link: "flex h-11 items-center gap-3 rounded-control px-3 font-medium text-ink hover:bg-subtle",
    active: "bg-primary-soft text-primary",
  },
} as const;

/** The main links, as the top bar (wide screens) or the disclosure menu (phones) shows them. */
function NavList({
  items,
  isActive,
  variant,
}: {
  items: NavItem[];
  isActive: (href: string) => boolean;
  variant: keyof typeof NAV_STYLES;
}) {
  const styles = NAV_STYLES[variant];
  return (
    <ul className={styles.list}>
      {items.map((item) => (
        <li key={item.href}>
          <Link
            href={item.href}
            aria-current={isActive(item.href) ? "page" : undefined}
            className={cn(styles.link, isActive(item.href) && styles.active)}
          >
            <item.icon aria-hidden="true" className="h-4 w-4" />
            {item.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}
