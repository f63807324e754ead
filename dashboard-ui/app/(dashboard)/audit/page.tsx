import type { Metadata } from "next";

import { AuditLog } from "@/components/audit/audit-log";
import { RoleGate } from "@/components/layout/role-gate";

export const metadata: Metadata = { title: "Audit trail" };

export default function AuditPage() {
  return (
    <RoleGate roles={["manager"]} page="The audit trail">
      <AuditLog />
    </RoleGate>
  );
}
