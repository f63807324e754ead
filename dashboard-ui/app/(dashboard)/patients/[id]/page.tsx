import type { Metadata } from "next";

import { PatientRecordView } from "@/components/patients/record/patient-record";

// No patient data in the document title: it ends up in history and screen shares.
export const metadata: Metadata = { title: "Patient record" };

export default function PatientRecordPage({ params }: { params: { id: string } }) {
  return <PatientRecordView id={decodeURIComponent(params.id)} />;
}
