import type { Metadata } from "next";
import { Suspense } from "react";

import { PatientTable } from "@/components/patients/patient-table";
import { Skeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Patients" };

function PatientTableFallback() {
  return (
    <div className="flex flex-col gap-4" aria-busy="true">
      <Skeleton className="h-8 w-40" />
      <Skeleton className="h-10 w-full max-w-2xl rounded-full" />
      <Skeleton className="h-9 w-full max-w-sm rounded-full" />
      <Skeleton className="h-96 w-full rounded-card" />
    </div>
  );
}

export default function PatientsPage() {
  // useSearchParams() in the table needs a Suspense boundary for static rendering.
  return (
    <Suspense fallback={<PatientTableFallback />}>
      <PatientTable />
    </Suspense>
  );
}
