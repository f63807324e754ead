/**
 * In-memory (never persisted, never in the URL) memory of the patient list between client-side
 * navigations: the search text, so going to a record and back keeps it, and the list URL the
 * record's "Back to patients" link returns to. A full reload forgets both, on purpose.
 */
let searchText = "";
let listHref = "/patients";

export const sessionMemory = {
  get search() {
    return searchText;
  },
  set search(value: string) {
    searchText = value;
  },
  get listHref() {
    return listHref;
  },
  set listHref(value: string) {
    listHref = value.startsWith("/patients") ? value : "/patients";
  },
};
