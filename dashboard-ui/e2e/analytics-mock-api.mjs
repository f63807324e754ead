#!/usr/bin/env node
// A development-only stand-in for the FastAPI server for /analytics and /explore, following
// shared/docs/query-api.md: measures with grains, ranges relative to as_of, compare
// (<m>.previous/.change/.change_pct), gap filling, dimensions across joins (refusing sums that
// would double count), filters, having, order, limit. It also answers sign-in
// (POST /api/auth/login sets an HttpOnly cookie; every other /api route then needs it), the
// catalog (from ../../metrics.yaml), /api/query/sql (a fake SQL text) and /api/ask
// (503 llm_not_configured unless MOCK_LLM=1).
//
// Dimension-only queries (the patient table) and patient records are proxied to the patient
// table's own mock (e2e/mock-api.mjs), started here as a child process on MOCK_PORT+1.
//
// Usage: node e2e/analytics-mock-api.mjs   (MOCK_PORT or API_PORT, default 8000)
// The real e2e run targets the real API; this exists so the UI can be built before the engine.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import yaml from "js-yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const seedDir = process.env.SEED_DIR ?? path.resolve(here, "../../../shared/seed_data");
const load = (name) => JSON.parse(readFileSync(path.join(seedDir, `${name}.json`), "utf8"));
const catalogYaml = yaml.load(readFileSync(path.resolve(here, "../../metrics.yaml"), "utf8"));

// ---- dates (naive ISO strings, UTC maths) ----
const D = (iso) => new Date(`${iso.slice(0, 10)}T00:00:00Z`);
const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (s, n) => { const d = D(s); d.setUTCDate(d.getUTCDate() + n); return iso(d); };
const addMonths = (s, n) => { const d = D(s); return iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate()))); };
const monthStart = (s) => `${s.slice(0, 7)}-01`;
const quarterStart = (s) => `${s.slice(0, 4)}-${String(Math.floor((Number(s.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, "0")}-01`;
const yearStart = (s) => `${s.slice(0, 4)}-01-01`;
const weekStart = (s) => { const d = D(s); const dow = (d.getUTCDay() + 6) % 7; return addDays(s, -dow); };
const daysBetween = (a, b) => Math.round((D(b) - D(a)) / 86400000);
const bucketOf = (grain, s) => ({ day: s.slice(0, 10), week: weekStart(s), month: monthStart(s), quarter: quarterStart(s), year: yearStart(s) })[grain];
const nextBucket = (grain, b) => ({ day: addDays(b, 1), week: addDays(b, 7), month: addMonths(b, 1), quarter: addMonths(b, 3), year: addMonths(b, 12) })[grain];

// ---- data ----
const services = new Map(load("service").map((s) => [s.id, s]));
const providers = new Map(load("provider").map((p) => [p.id, { ...p, name: `${p.first_name} ${p.last_name}` }]));
const patients = load("patient").map((p) => ({ ...p, appts: [], payments: [] }));
const patientById = new Map(patients.map((p) => [p.id, p]));
const appts = load("appointment").map((a) => ({ ...a, lines: [], payments: [], patient: patientById.get(a.patient_id) }));
const apptById = new Map(appts.map((a) => [a.id, a]));
const lines = load("appointment_service").map((l, i) => ({ ...l, id: i + 1, appt: apptById.get(l.appointment_id), service: services.get(l.service_id), provider: providers.get(l.provider_id) }));
const payments = load("payment").map((p) => ({ ...p, appt: apptById.get(p.appointment_id), patient: patientById.get(p.patient_id) }));
for (const l of lines) l.appt?.lines.push(l);
for (const p of payments) { p.appt?.payments.push(p); p.patient?.payments.push(p); }
for (const a of appts) a.patient?.appts.push(a);

const AS_OF = process.env.MOCK_AS_OF ?? payments.reduce((m, p) => (p.date > m ? p.date : m), "").slice(0, 10);
const AS_OF_END = addDays(AS_OF, 1);
for (const a of appts) {
  a.lines.sort((x, y) => x.start.localeCompare(y.start) || x.id - y.id);
  a.start_at = a.lines[0]?.start ?? null;
  a.end_at = a.lines.reduce((m, l) => (l.end > m ? l.end : m), "") || null;
  a.is_cancelled = a.status === "cancelled";
  a.is_visit = !a.is_cancelled && a.start_at !== null && a.start_at < AS_OF_END;
  a.is_upcoming = !a.is_cancelled && a.start_at !== null && a.start_at >= AS_OF_END;
  a.paid = a.payments.filter((p) => p.status === "paid");
  a.paid_amount = a.paid.reduce((s, p) => s + p.amount, 0);
  // largest-remainder allocation of the paid amount over the lines by list price
  const weights = a.lines.map((l) => l.service?.price ?? 0);
  const total = weights.reduce((s, w) => s + w, 0) || 1;
  const exact = weights.map((w) => (a.paid_amount * w) / total);
  const floors = exact.map(Math.floor);
  let left = a.paid_amount - floors.reduce((s, v) => s + v, 0);
  exact.map((e, i) => [e - floors[i], i]).sort((x, y) => y[0] - x[0] || x[1] - y[1]).forEach(([, i]) => { if (left > 0) { floors[i] += 1; left -= 1; } });
  a.lines.forEach((l, i) => { l.allocated = floors[i]; l.hours = (new Date(`${l.end}Z`) - new Date(`${l.start}Z`)) / 3600000; });
}
for (const p of patients) {
  const visits = p.appts.filter((a) => a.is_visit).sort((x, y) => x.start_at.localeCompare(y.start_at));
  const upcoming = p.appts.filter((a) => a.is_upcoming).sort((x, y) => x.start_at.localeCompare(y.start_at));
  p.first_visit_at = visits[0]?.start_at ?? null;
  p.last_visit_at = visits.at(-1)?.start_at ?? null;
  p.last_visit_service = visits.at(-1)?.lines[0]?.service?.name ?? null;
  p.next_appointment_at = upcoming[0]?.start_at ?? null;
  p.visit_count = visits.length;
  p.lifetime_spend = p.payments.filter((x) => x.status === "paid").reduce((s, x) => s + x.amount, 0);
  p.unpaid_visit_count = visits.filter((a) => a.paid.length === 0).length;
  p.is_lapsed = p.last_visit_at !== null && p.last_visit_at < addDays(AS_OF_END, -90) && p.next_appointment_at === null;
}
const monthsBetween = (a, b) => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));

// ---- entities, reach, dimensions ----
const ENTITY_OF_PREFIX = { patient: "patient", appointment: "appointment", service_line: "service_line", service: "service", provider: "provider", payment: "payment" };
const reach = {
  payment: { payment: (r) => [r], appointment: (r) => [r.appt], patient: (r) => [r.patient], service_line: (r) => r.appt.lines, service: (r) => r.appt.lines.map((l) => l.service), provider: (r) => r.appt.lines.map((l) => l.provider) },
  appointment: { appointment: (r) => [r], patient: (r) => [r.patient], payment: (r) => r.payments, service_line: (r) => r.lines, service: (r) => r.lines.map((l) => l.service), provider: (r) => r.lines.map((l) => l.provider) },
  service_line: { service_line: (r) => [r], appointment: (r) => [r.appt], patient: (r) => [r.appt.patient], payment: (r) => r.appt.payments, service: (r) => [r.service], provider: (r) => [r.provider] },
  patient: { patient: (r) => [r], appointment: (r) => r.appts, payment: (r) => r.payments, service_line: (r) => r.appts.flatMap((a) => a.lines), service: (r) => r.appts.flatMap((a) => a.lines.map((l) => l.service)), provider: (r) => r.appts.flatMap((a) => a.lines.map((l) => l.provider)) },
};
const FANS_OUT = { payment: ["service_line", "service", "provider"], appointment: ["service_line", "service", "provider"], service_line: [], patient: ["appointment", "payment", "service_line", "service", "provider"] };
const ageOn = (dob) => { const [y, m, d] = dob.slice(0, 10).split("-").map(Number); const [Y, M, Dd] = AS_OF.split("-").map(Number); return Y - y - (M < m || (M === m && Dd < d) ? 1 : 0); };
const band = (age) => (age < 18 ? "under 18" : age >= 65 ? "65+" : ["18-24", "25-34", "35-44", "45-54", "55-64"][[25, 35, 45, 55, 65].findIndex((e) => age < e)]);
const DIMS = {
  "patient.id": (p) => p.id, "patient.name": (p) => `${p.first_name} ${p.last_name}`, "patient.source": (p) => p.source, "patient.gender": (p) => p.gender,
  "patient.age": (p) => ageOn(p.date_of_birth), "patient.age_band": (p) => band(ageOn(p.date_of_birth)), "patient.created_at": (p) => p.created_date.slice(0, 19),
  "patient.first_visit_at": (p) => p.first_visit_at, "patient.last_visit_at": (p) => p.last_visit_at, "patient.next_appointment_at": (p) => p.next_appointment_at,
  "patient.visit_count": (p) => p.visit_count, "patient.lifetime_spend": (p) => p.lifetime_spend, "patient.unpaid_visit_count": (p) => p.unpaid_visit_count,
  "patient.first_visit_month": (p) => (p.first_visit_at ? monthStart(p.first_visit_at) : null), "patient.last_visit_service": (p) => p.last_visit_service,
  "patient.is_lapsed": (p) => p.is_lapsed, "patient.days_since_last_visit": (p) => (p.last_visit_at ? daysBetween(p.last_visit_at, AS_OF) : null),
  "appointment.id": (a) => a.id, "appointment.status": (a) => a.status, "appointment.start_at": (a) => a.start_at, "appointment.created_at": (a) => a.created_date.slice(0, 19),
  "appointment.day_of_week": (a) => (a.start_at ? ((D(a.start_at).getUTCDay() + 6) % 7) + 1 : null), "appointment.hour_of_day": (a) => (a.start_at ? Number(a.start_at.slice(11, 13)) : null),
  "appointment.is_visit": (a) => a.is_visit, "appointment.is_upcoming": (a) => a.is_upcoming, "appointment.is_cancelled": (a) => a.is_cancelled,
  "appointment.months_since_first_visit": (a) => (a.patient.first_visit_at && a.start_at ? monthsBetween(a.patient.first_visit_at, a.start_at) : null),
  "service_line.start_at": (l) => l.start, "service.name": (s) => s.name, "service.price": (s) => s.price, "provider.name": (p) => p.name,
  "payment.method": (p) => p.method, "payment.status": (p) => p.status, "payment.paid_at": (p) => p.date.slice(0, 19), "payment.amount": (p) => p.amount,
};
const TIME_DIMS = new Set(["patient.created_at", "patient.first_visit_at", "patient.last_visit_at", "patient.next_appointment_at", "appointment.start_at", "appointment.created_at", "payment.paid_at", "service_line.start_at"]);
const entityOf = (dim) => ENTITY_OF_PREFIX[dim.split(".")[0]];
const valuesOf = (dim, entity, row) => {
  const getter = DIMS[dim];
  if (!getter) throw new QueryError("unknown_member", `unknown dimension '${dim}'`, null, Object.keys(DIMS).filter((n) => n.endsWith(dim.split(".").at(-1))).slice(0, 3));
  return [...new Set(reach[entity][entityOf(dim)](row).filter(Boolean).map(getter))];
};

// ---- measures ----
const paid = (p) => p.status === "paid";
const BASE = {
  revenue: { entity: "payment", agg: "sum", value: (p) => p.amount, where: paid, time: "payment.paid_at" },
  payment_count: { entity: "payment", agg: "count", where: paid, time: "payment.paid_at" },
  line_revenue: { entity: "service_line", agg: "sum", value: (l) => l.allocated, time: "appointment.start_at" },
  appointment_count: { entity: "appointment", agg: "count", time: "appointment.start_at" },
  cancelled_appointment_count: { entity: "appointment", agg: "count", where: (a) => a.is_cancelled, time: "appointment.start_at" },
  visit_count: { entity: "appointment", agg: "count", where: (a) => a.is_visit, time: "appointment.start_at" },
  upcoming_appointment_count: { entity: "appointment", agg: "count", where: (a) => a.is_upcoming, time: "appointment.start_at" },
  unpaid_visit_count: { entity: "appointment", agg: "count", where: (a) => a.is_visit && a.paid.length === 0, time: "appointment.start_at" },
  service_line_count: { entity: "service_line", agg: "count", time: "appointment.start_at" },
  booked_hours: { entity: "service_line", agg: "sum", value: (l) => l.hours, where: (l) => !l.appt.is_cancelled, time: "appointment.start_at" },
  patient_count: { entity: "patient", agg: "count", time: "patient.created_at" },
  new_patient_count: { entity: "patient", agg: "count", where: (p) => p.first_visit_at !== null, time: "patient.first_visit_at" },
  active_patient_count: { entity: "appointment", agg: "count_distinct", key: (a) => a.patient_id, where: (a) => a.is_visit, time: "appointment.start_at" },
  retained_patient_count: { entity: "appointment", agg: "count_distinct", key: (a) => a.patient_id, where: (a) => a.is_visit, time: "appointment.start_at" },
  returning_patient_count: { entity: "appointment", agg: "count_distinct", key: (a) => a.patient_id, min: 2, where: (a) => a.is_visit, time: "appointment.start_at" },
  paying_patient_count: { entity: "payment", agg: "count_distinct", key: (p) => p.patient_id, where: paid, time: "payment.paid_at" },
  failed_payment_count: { entity: "payment", agg: "count", where: (p) => p.status === "failed", time: "payment.paid_at" },
  pending_payment_count: { entity: "payment", agg: "count", where: (p) => p.status === "pending", time: "payment.paid_at" },
  lapsed_patient_count: { entity: "patient", agg: "count", where: (p) => p.is_lapsed, time: "patient.last_visit_at" },
};
const DERIVED = {
  average_ticket: { of: ["revenue", "payment_count"], round: true },
  cancellation_rate: { of: ["cancelled_appointment_count", "appointment_count"] },
  revenue_per_patient: { of: ["revenue", "paying_patient_count"], round: true },
  returning_patient_rate: { of: ["returning_patient_count", "active_patient_count"] },
  revenue_per_booked_hour: { of: ["line_revenue", "booked_hours"], round: true },
  average_visits_per_patient: { of: ["visit_count", "active_patient_count"] },
};
const SPLIT = { revenue: "line_revenue", average_ticket: "line_revenue", revenue_per_patient: "line_revenue" };
const meta = (name) => {
  const m = catalogYaml.measures?.[name] ?? catalogYaml.derived_measures?.[name] ?? {};
  return { type: m.type ?? "number", unit: m.unit ?? null, format: m.format ?? null, label: m.label ?? name };
};
const dimMeta = (name) => {
  const [entity, key] = name.split(".");
  const d = catalogYaml.entities?.[entity]?.dimensions?.[key] ?? {};
  return { type: TIME_DIMS.has(name) ? "time" : d.type ?? "string", label: d.label ?? name };
};

class QueryError extends Error {
  constructor(code, message, where, suggestions = []) {
    super(message);
    Object.assign(this, { code, where, suggestions });
  }
}

function resolveRange(range) {
  if (range === undefined || range === null) return null;
  if (Array.isArray(range)) {
    if (range.length !== 2 || !/^\d{4}-\d{2}-\d{2}$/.test(range[0]) || !/^\d{4}-\d{2}-\d{2}$/.test(range[1]) || range[0] >= range[1])
      throw new QueryError("invalid_range", "a range is [start, end) as two ISO dates, start before end", "time.range");
    return { start: range[0], end: range[1] };
  }
  const e = AS_OF_END;
  const table = {
    today: [AS_OF, e], yesterday: [addDays(AS_OF, -1), AS_OF], last_7_days: [addDays(e, -7), e], last_30_days: [addDays(e, -30), e],
    last_90_days: [addDays(e, -90), e], last_12_months: [addMonths(e, -12), e], this_month: [monthStart(AS_OF), e],
    last_month: [addMonths(monthStart(AS_OF), -1), monthStart(AS_OF)], this_quarter: [quarterStart(AS_OF), e],
    last_quarter: [addMonths(quarterStart(AS_OF), -3), quarterStart(AS_OF)], this_year: [yearStart(AS_OF), e],
    last_year: [addMonths(yearStart(AS_OF), -12), yearStart(AS_OF)], all_time: null,
  };
  if (!(range in table)) throw new QueryError("invalid_range", `unknown range '${range}'`, "time.range", Object.keys(table).filter((k) => k.includes(String(range).slice(0, 4))));
  const r = table[range];
  return r ? { start: r[0], end: r[1] } : "all";
}

function compareRange(r, compare) {
  if (!r || r === "all") return null;
  if (compare === "previous_year") return { start: addMonths(r.start, -12), end: addMonths(r.end, -12) };
  const len = daysBetween(r.start, r.end);
  return { start: addDays(r.start, -len), end: r.start };
}

function filterMatches(f, values) {
  const vals = f.values ?? (f.value !== undefined ? [f.value] : []);
  const test = (v) => {
    switch (f.op) {
      case "equals": return v === vals[0];
      case "not_equals": return v !== vals[0];
      case "in": return vals.includes(v);
      case "not_in": return !vals.includes(v);
      case "contains": return v !== null && String(v).toLowerCase().includes(String(vals[0]).toLowerCase());
      case "starts_with": return v !== null && String(v).toLowerCase().startsWith(String(vals[0]).toLowerCase());
      case "gt": return v !== null && v > vals[0];
      case "gte": return v !== null && v >= vals[0];
      case "lt": return v !== null && v < vals[0];
      case "lte": return v !== null && v <= vals[0];
      case "between": return v !== null && v >= vals[0] && v <= vals[1];
      case "is_null": return v === null || v === undefined;
      case "is_not_null": return v !== null && v !== undefined;
      default: throw new QueryError("invalid_filter", `unknown op '${f.op}'`, "filters");
    }
  };
  if (values.length === 0) return f.op === "is_null" || f.op === "not_in" || f.op === "not_equals";
  return f.op === "not_in" || f.op === "not_equals" ? values.every(test) : values.some(test);
}

/** One base measure over [range) grouped by dims (+ time bucket): Map(key -> value). */
function aggregate(name, q, range, grain, timeDim) {
  const m = BASE[name];
  const dims = q.dimensions ?? [];
  for (const dim of [...dims, ...(q.filters ?? []).map((f) => f.field)]) {
    if (!DIMS[dim]) throw new QueryError("unknown_member", `unknown dimension '${dim}'`, "dimensions");
    if (m.agg === "sum" && FANS_OUT[m.entity].includes(entityOf(dim)))
      throw new QueryError("invalid_grouping", `${name} cannot be split by ${dim} without double counting; use ${SPLIT[name] ?? "another measure"}`, "dimensions", [SPLIT[name] ?? "line_revenue"]);
  }
  const rows = { payment: payments, appointment: appts, service_line: lines, patient: patients }[m.entity];
  const tDim = timeDim ?? m.time;
  const groups = new Map();
  for (const row of rows) {
    if (m.where && !m.where(row)) continue;
    if (!(q.filters ?? []).every((f) => filterMatches(f, valuesOf(f.field, m.entity, row)))) continue;
    const t = valuesOf(tDim, m.entity, row)[0] ?? null;
    if (range && range !== "all") { if (t === null || t < range.start || t >= range.end) continue; }
    if (grain && t === null) continue;
    let combos = [[]];
    for (const dim of dims) {
      const vs = valuesOf(dim, m.entity, row);
      const use = vs.length ? vs : [null];
      combos = combos.flatMap((c) => use.map((v) => [...c, v]));
    }
    for (const combo of combos) {
      const key = JSON.stringify([grain ? bucketOf(grain, t) : null, ...combo]);
      const g = groups.get(key) ?? { sum: 0, n: 0, keys: new Map() };
      g.n += 1;
      if (m.value) g.sum += m.value(row);
      if (m.key) g.keys.set(m.key(row), (g.keys.get(m.key(row)) ?? 0) + 1);
      groups.set(key, g);
    }
  }
  const out = new Map();
  for (const [k, g] of groups) {
    out.set(k, m.agg === "sum" ? g.sum : m.agg === "count" ? g.n : [...g.keys.values()].filter((c) => c >= (m.min ?? 1)).length);
  }
  return out;
}

function evaluate(q, range, grain, timeDim) {
  const names = q.measures ?? [];
  const base = new Map();
  const need = new Set(names.flatMap((n) => (DERIVED[n] ? DERIVED[n].of : BASE[n] ? [n] : (() => { throw new QueryError("unknown_member", `unknown measure '${n}'`, `measures[${names.indexOf(n)}]`, Object.keys({ ...BASE, ...DERIVED }).filter((x) => x.startsWith(n.slice(0, 3))).slice(0, 3)); })())));
  for (const n of need) base.set(n, aggregate(n, q, range, grain, timeDim));
  const keys = new Set([...base.values()].flatMap((m) => [...m.keys()]));
  const table = new Map();
  for (const key of keys) {
    const values = {};
    for (const n of names) {
      if (DERIVED[n]) {
        const [a, b] = DERIVED[n].of.map((x) => base.get(x).get(key) ?? 0);
        values[n] = b ? (DERIVED[n].round ? Math.round(a / b) : a / b) : null;
      } else values[n] = base.get(n).get(key) ?? 0;
    }
    table.set(key, values);
  }
  return table;
}

// Like the engine: `value` for single-value ops, `values` for in / not_in / between, nothing for null ops.
function checkFilterShapes(q) {
  const lists = ["in", "not_in", "between"];
  for (const [key, list] of [["filters", q.filters ?? []], ["having", q.having ?? []]]) {
    list.forEach((f, i) => {
      if (lists.includes(f.op) && !Array.isArray(f.values)) throw new QueryError("invalid_filter", `${f.op} takes a list in \`values\``, `${key}[${i}].values`);
      if (!lists.includes(f.op) && !["is_null", "is_not_null"].includes(f.op) && f.value === undefined)
        throw new QueryError("invalid_filter", `${f.op} takes one \`value\``, `${key}[${i}].value`);
    });
  }
}

function runQuery(q) {
  checkFilterShapes(q);
  const t0 = performance.now();
  const measures = q.measures ?? [];
  const dims = q.dimensions ?? [];
  const limit = q.limit ?? 1000;
  if (limit > 10000) throw new QueryError("limit_exceeded", "limit is capped at 10000", "limit");
  const grain = q.time?.grain ?? null;
  const timeDim = q.time?.dimension ?? null;
  const range = resolveRange(q.time?.range);
  const compare = q.time?.compare ?? null;
  const current = evaluate(q, range, grain, timeDim);
  // gap filling: every bucket of the range, crossed with the dimension combinations seen
  if (grain) {
    let start = range && range !== "all" ? range.start : null;
    let end = range && range !== "all" ? range.end : null;
    if (!start) {
      const ts = [...current.keys()].map((k) => JSON.parse(k)[0]).filter(Boolean).sort();
      start = ts[0];
      end = ts.length ? addDays(ts.at(-1), 1) : null;
    }
    const combos = new Set([...current.keys()].map((k) => JSON.stringify(JSON.parse(k).slice(1))));
    if (dims.length === 0) combos.add("[]");
    if (start && end) {
      for (let b = bucketOf(grain, start); b < end; b = nextBucket(grain, b)) {
        for (const c of combos) {
          const key = JSON.stringify([b, ...JSON.parse(c)]);
          if (!current.has(key)) current.set(key, Object.fromEntries(measures.map((n) => [n, DERIVED[n] ? null : 0])));
        }
      }
    }
  }
  let rows = [...current.entries()].map(([key, values]) => {
    const k = JSON.parse(key);
    const row = {};
    if (grain) row.time = k[0];
    dims.forEach((d, i) => (row[d] = k[i + 1]));
    return Object.assign(row, values);
  });
  const prevRange = compare ? compareRange(range, compare) : null;
  if (compare && prevRange) {
    const prev = evaluate(q, prevRange, grain, timeDim);
    const prevBuckets = grain ? (() => { const out = []; for (let b = bucketOf(grain, prevRange.start); b < prevRange.end; b = nextBucket(grain, b)) out.push(b); return out; })() : [null];
    const curBuckets = grain ? [...new Set(rows.map((r) => r.time))].sort() : [null];
    for (const row of rows) {
      const idx = curBuckets.indexOf(grain ? row.time : null);
      const pk = JSON.stringify([idx >= 0 && prevBuckets[idx] !== undefined ? prevBuckets[idx] : "none", ...dims.map((d) => row[d])]);
      const pv = prev.get(pk);
      for (const n of measures) {
        const p = pv ? pv[n] : DERIVED[n] ? null : 0;
        row[`${n}.previous`] = p;
        row[`${n}.change`] = p === null || row[n] === null ? null : row[n] - p;
        row[`${n}.change_pct`] = p === null || p === 0 || row[n] === null ? null : (row[n] - p) / Math.abs(p);
      }
    }
  }
  for (const h of q.having ?? []) rows = rows.filter((r) => filterMatches(h, [r[h.field]]));
  const order = [...(q.order ?? []), ...(grain ? [{ field: "time", dir: "asc" }] : []), ...dims.map((d) => ({ field: d, dir: "asc" }))];
  rows.sort((a, b) => {
    for (const o of order) {
      const x = a[o.field], y = b[o.field];
      if (x === y) continue;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      const c = x < y ? -1 : 1;
      return o.dir === "desc" ? -c : c;
    }
    return 0;
  });
  const total = rows.length;
  const offset = q.offset ?? 0;
  const columns = [
    ...(grain ? [{ name: "time", kind: "time", type: "date", label: `${dimMeta(timeDim ?? "time").label === "time" ? "Time" : dimMeta(timeDim).label} (${grain})` }] : []),
    ...dims.map((d) => ({ name: d, kind: "dimension", ...dimMeta(d) })),
    ...measures.flatMap((n) => {
      const col = { name: n, kind: "measure", ...meta(n) };
      if (!compare || !prevRange) return [col];
      return [col, { ...col, name: `${n}.previous`, label: `${col.label} (previous)` }, { ...col, name: `${n}.change`, label: `${col.label} (change)` },
        { name: `${n}.change_pct`, kind: "measure", type: "number", unit: "ratio", format: "percent", label: `${col.label} (change %)` }];
    }),
  ];
  const warnings = compare && !prevRange ? ["compare ignored: all_time has no previous period"] : [];
  return {
    columns, rows: rows.slice(offset, offset + limit), total_rows: total,
    meta: { as_of: AS_OF, range: range === "all" ? { start: null, end: AS_OF_END } : range, compare_range: prevRange, duration_ms: Math.round((performance.now() - t0) * 10) / 10, warnings },
  };
}

// ---- catalog (from metrics.yaml) ----
function buildCatalog() {
  const dims = Object.keys(DIMS).filter((d) => !d.startsWith("service_line."));
  const groupable = (measure) => {
    const bases = DERIVED[measure]?.of ?? [measure];
    return dims.filter((d) => bases.every((b) => !(BASE[b].agg === "sum" && FANS_OUT[BASE[b].entity].includes(entityOf(d)))));
  };
  const measures = Object.keys({ ...BASE, ...DERIVED }).map((name) => {
    const y = catalogYaml.measures?.[name] ?? catalogYaml.derived_measures?.[name] ?? {};
    return { name, kind: "measure", label: y.label ?? name, description: y.description ?? "", synonyms: y.synonyms ?? [], type: y.type, unit: y.unit, format: y.format,
      default_time_dimension: BASE[name]?.time ?? BASE[DERIVED[name].of[0]].time, groupable_dimensions: groupable(name) };
  });
  const dimensions = dims.map((name) => {
    const [entity, key] = name.split(".");
    const y = catalogYaml.entities?.[entity]?.dimensions?.[key] ?? {};
    const isTime = TIME_DIMS.has(name);
    return { name, kind: isTime ? "time" : "dimension", label: y.label ?? name, description: y.description ?? "", synonyms: y.synonyms ?? [], type: isTime ? "time" : y.type ?? "string", pii: Boolean(y.pii),
      ...(isTime ? { grains: ["day", "week", "month", "quarter", "year"], span: { start: "2024-12-15", end: "2026-01-24" } } : {}) };
  });
  return { as_of: AS_OF, measures, dimensions };
}
const CATALOG = buildCatalog();

function fakeSql(q) {
  const m = (q.measures ?? []).map((n) => `  ${n === "revenue" ? "SUM(p.amount) FILTER (WHERE p.status = 'paid')" : `/* ${n} */ COUNT(*)`} AS "${n}"`);
  const d = (q.dimensions ?? []).map((n) => `  ${n.replace(".", "_")}."${n.split(".")[1]}" AS "${n}"`);
  const t = q.time?.grain ? [`  date_trunc('${q.time.grain}', t) AS "time"`] : [];
  return `-- mock SQL (the real engine renders its own)\nSELECT\n${[...t, ...d, ...m].join(",\n")}\nFROM payments AS p\nWHERE p.date >= $1 AND p.date < $2\nGROUP BY ${[...t, ...d].map((_, i) => i + 1).join(", ") || "()"}\nLIMIT ${q.limit ?? 1000}`;
}

function ask(question) {
  const queries = [];
  const run = (args) => { const result = runQuery(args); queries.push({ tool: "query", arguments: args, result }); return result; };
  const r = run({ measures: ["revenue"], dimensions: ["patient.source"], time: { range: "last_90_days" }, order: [{ field: "revenue", dir: "desc" }] });
  const top = r.rows[0];
  return {
    answer: `Over the last 90 days, ${top["patient.source"]} brought the most revenue: $${(top.revenue / 100).toLocaleString("en-US")}. (mock answer to: "${question}")`,
    queries, chart: { type: "bar", query_index: 0, x: "patient.source", y: ["revenue"] }, steps: 2,
  };
}

// ---- HTTP ----
const sessions = new Set();
const USERS = { manager: ["manager-demo-pass", "manager"], frontdesk: ["frontdesk-demo-pass", "frontdesk"] };
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body === null ? "" : JSON.stringify(body));
};
const err = (res, status, code, message, where = null, suggestions = []) => send(res, status, { error: { code, message, path: where, suggestions } });
const cookieOf = (req) => Object.fromEntries((req.headers.cookie ?? "").split(/;\s*/).filter(Boolean).map((c) => c.split("=")));

const port = Number(process.env.MOCK_PORT ?? process.env.API_PORT ?? 8000);
const patientPort = port + 1;
const child = process.env.NO_PATIENT_MOCK ? null : spawn(process.execPath, [path.join(here, "mock-api.mjs")], { env: { ...process.env, MOCK_PORT: String(patientPort), MOCK_DELAY_MS: "20" }, stdio: "ignore" });
process.on("exit", () => child?.kill());
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0));

// The patient mock has its own sign-in: log in there once and use that session for every proxied call.
let childCookie = null;
async function childSession() {
  if (childCookie) return childCookie;
  const response = await fetch(`http://127.0.0.1:${patientPort}/api/auth/login`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "manager", password: "manager-demo-pass" }),
  });
  childCookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
  return childCookie;
}

async function proxy(req, res, raw) {
  let cookie = "";
  try {
    cookie = await childSession();
  } catch {
    return err(res, 503, "service_unavailable", "patient mock not running");
  }
  const upstream = http.request({ host: "127.0.0.1", port: patientPort, path: req.url, method: req.method, headers: { "content-type": "application/json", cookie } }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on("error", () => err(res, 503, "service_unavailable", "patient mock not running"));
  upstream.end(raw);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://mock");
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    setTimeout(() => {
      try {
        const p = url.pathname;
        if (p === "/api/health") return send(res, 200, { status: "ok", database: "ok" });
        if (p === "/openapi.json") return send(res, 200, { openapi: "3.1.0", info: { title: "mock", version: "0" }, paths: {} });
        if (req.method === "POST" && p === "/api/auth/login") {
          const body = JSON.parse(raw || "{}");
          const user = USERS[body.username];
          if (!user || user[0] !== body.password) return err(res, 401, "invalid_credentials", "wrong username or password");
          const token = randomUUID();
          sessions.add(token);
          return send(res, 200, { username: body.username, role: user[1] }, { "set-cookie": `medspa_session=${token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200` });
        }
        if (process.env.MOCK_NO_AUTH !== "1" && !sessions.has(cookieOf(req).medspa_session))
          return err(res, 401, "unauthenticated", "sign in first (POST /api/auth/login) or send an API key");
        if (p === "/api/auth/me") return send(res, 200, { username: "manager", role: "manager" });
        if (p === "/api/catalog") return send(res, 200, CATALOG);
        if (req.method === "POST" && (p === "/api/query" || p === "/api/query/sql")) {
          const q = JSON.parse(raw || "{}");
          if (!q.measures?.length) return void proxy(req, res, raw);
          if (process.env.MOCK_FAIL_MEASURE && q.measures.includes(process.env.MOCK_FAIL_MEASURE)) return err(res, 503, "database_unavailable", "The database is not reachable.");
          const result = runQuery(q); // validates
          if (p === "/api/query/sql") return send(res, 200, { sql: fakeSql(q), dialect: url.searchParams.get("dialect") ?? "postgres", params: [] });
          return send(res, 200, result);
        }
        if (req.method === "POST" && p === "/api/ask") {
          if (process.env.MOCK_LLM !== "1") return err(res, 503, "llm_not_configured", "no language model is configured (set LLM_BASE_URL, LLM_API_KEY and LLM_MODEL)");
          const body = JSON.parse(raw || "{}");
          return send(res, 200, ask(String(body.question ?? "")));
        }
        if (p.startsWith("/api/patients/")) return void proxy(req, res, raw);
        err(res, 404, "not_found", `no route ${req.method} ${p}`);
      } catch (e) {
        if (e instanceof QueryError) return err(res, 400, e.code, e.message, e.where, e.suggestions);
        err(res, 500, "internal", String(e?.stack ?? e));
      }
    }, Number(process.env.MOCK_DELAY_MS ?? 60));
  });
});
server.listen(port, "127.0.0.1", () => console.log(`analytics mock API on http://127.0.0.1:${port} (as_of ${AS_OF}); patient mock on ${patientPort}`));
