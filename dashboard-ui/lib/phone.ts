/**
 * Phone numbers as stored come in ~20 formats ("949.254.7476x25788", "001-931-780-0053", "+1-555-…").
 * Shown in one national format with the extension apart, dialled through an RFC 3966 `tel:` URI whose
 * extension is a parameter (`tel:+19492547476;ext=25788`), never glued onto the number. libphonenumber-js
 * does the parsing; the stored text is left as typed (search matches it by digits).
 */
import { parsePhoneNumberFromString } from "libphonenumber-js";

export interface Phone {
  /** "(949) 254-7476" */
  number: string;
  /** "25788", or null */
  extension: string | null;
  /** "tel:+19492547476;ext=25788" */
  href: string;
}

const DEFAULT_COUNTRY = "US";

/** "001-…" is how the export writes the North American country code (+1). */
const normalise = (raw: string) => raw.trim().replace(/^00\s*1[-. ]?/, "+1 ");

export function parsePhone(raw: string | null | undefined): Phone | null {
  if (!raw || !raw.trim()) return null;
  const parsed = parsePhoneNumberFromString(normalise(raw), DEFAULT_COUNTRY);
  if (!parsed) return null;
  const bare = { formatExtension: (formatted: string) => formatted }; // the extension is shown apart
  const number = parsed.countryCallingCode === "1" ? parsed.format("NATIONAL", bare) : parsed.format("INTERNATIONAL", bare);
  return { number, extension: parsed.ext ?? null, href: parsed.getURI() };
}

/** "(949) 254-7476 ext. 25788" for text (CSV, cards); the raw text when it does not parse. */
export function formatPhone(raw: string | null | undefined): string {
  const phone = parsePhone(raw);
  if (!phone) return raw?.trim() || "";
  return phone.extension ? `${phone.number} ext. ${phone.extension}` : phone.number;
}
