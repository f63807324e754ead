import { BarChart3, Compass, ScrollText, Users, type LucideIcon } from "lucide-react";

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
  /** Roles that may open it (the API enforces the same); absent: every signed-in role. */
  roles?: string[];
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/patients", label: "Patients", icon: Users },
  { href: "/analytics", label: "Analytics", icon: BarChart3, roles: ["manager"] },
  { href: "/explore", label: "Explore", icon: Compass, roles: ["manager"] },
  { href: "/audit", label: "Audit", icon: ScrollText, roles: ["manager"] },
];

/** The items a role may open; while the role is not known yet, only the unrestricted ones. */
export function navItemsFor(role: string | undefined): NavItem[] {
  return NAV_ITEMS.filter((item) => !item.roles || (role !== undefined && item.roles.includes(role)));
}
