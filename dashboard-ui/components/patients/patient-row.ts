import type { Row } from "@/lib/api/types";

/** Typed reads of a patient-grain query row (rows are keyed by member name). */
export const text = (row: Row, key: string): string | null => {
  const value = row[key];
  return value === null || value === undefined ? null : String(value);
};

export const num = (row: Row, key: string): number | null => {
  const value = row[key];
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
};

export const patientId = (row: Row): string => text(row, "patient.id") ?? "";
export const patientName = (row: Row): string => text(row, "patient.name") ?? "Unnamed patient";
