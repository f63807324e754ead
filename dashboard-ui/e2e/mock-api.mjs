#!/usr/bin/env node
// A development-only stand-in for the FastAPI server, following shared/docs/query-api.md for the
// calls the patient table makes. It reads the client's export (read-only) from SEED_DIR
// (default ../../../shared/seed_data relative to this file) and answers:
//   GET /api/health, GET /api/catalog, POST /api/query (patient-grain dimension queries only),
//   POST /api/query/sql, GET /api/patients/{id}, GET /openapi.json
// Usage: node e2e/mock-api.mjs   (MOCK_PORT or API_PORT, default 8000; MOCK_DB_DOWN=1 for 503s)
// The real e2e run targets the real API; this exists so the UI can be built before the engine.
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const seedDir = process.env.SEED_DIR ?? path.resolve(here, "../../../shared/seed_data");
const load = (name) => JSON.parse(readFileSync(path.join(seedDir, `${name}.json`), "utf8"));

const patients = load("patient");
const appointments = load("appointment");
const lines = load("appointment_service");
const payments = load("payment");
const providers = new Map(load("provider").map((p) => [p.id, `${p.first_name} ${p.last_name}`]));
const services = new Map(load("service").map((s) => [s.id, s]));

const AS_OF = payments.reduce((max, p) => (p.date > max ? p.date : max), "").slice(0, 10);
const dayAfter = (iso) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};
const AS_OF_END = `${dayAfter(AS_OF)}T00:00:00`;
const LAPSED_BEFORE = (() => {
  const d = new Date(`${AS_OF}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 89);
  return d.toISOString().slice(0, 10);
})();

// ---- per-appointment and per-patient facts ----
const linesByAppt = new Map();
for (const l of lines) {
  const list = linesByAppt.get(l.appointment_id) ?? [];
  list.push(l);
  linesByAppt.set(l.appointment_id, list);
}
for (const list of linesByAppt.values()) list.sort((a, b) => a.start.localeCompare(b.start));
const paymentByAppt = new Map(payments.filter((p) => p.status === "paid").map((p) => [p.appointment_id, p]));
const apptsByPatient = new Map();
for (const a of appointments) {
  const ls = linesByAppt.get(a.id) ?? [];
  const start = ls[0]?.start ?? null;
  const end = ls.reduce((m, l) => (l.end > m ? l.end : m), ls[0]?.end ?? "") || null;
  const enriched = {
    ...a,
    start,
    end,
    lines: ls,
    is_visit: a.status !== "cancelled" && start !== null && start < AS_OF_END,
    is_upcoming: a.status !== "cancelled" && start !== null && start >= AS_OF_END,
  };
  const list = apptsByPatient.get(a.patient_id) ?? [];
  list.push(enriched);
  apptsByPatient.set(a.patient_id, list);
}
const spendByPatient = new Map();
for (const p of payments) {
  if (p.status !== "paid") continue;
  spendByPatient.set(p.patient_id, (spendByPatient.get(p.patient_id) ?? 0) + p.amount);
}

function ageOn(dob, asOf) {
  const [y, m, d] = dob.slice(0, 10).split("-").map(Number);
  const [Y, M, D] = asOf.split("-").map(Number);
  return Y - y - (M < m || (M === m && D < d) ? 1 : 0);
}
function ageBand(age) {
  if (age < 18) return null;
  if (age >= 65) return "65+";
  for (const [lo, hi] of [[18, 24], [25, 34], [35, 44], [45, 54], [55, 64]]) if (age >= lo && age <= hi) return `${lo}-${hi}`;
  return null;
}
const serviceName = (id) => services.get(id)?.name ?? null;

const rows = patients.map((p) => {
  const appts = (apptsByPatient.get(p.id) ?? []).slice().sort((a, b) => (a.start ?? "").localeCompare(b.start ?? ""));
  const visits = appts.filter((a) => a.is_visit);
  const upcoming = appts.filter((a) => a.is_upcoming);
  const next = upcoming[0];
  const last = visits[visits.length - 1];
  const age = ageOn(p.date_of_birth, AS_OF);
  return {
    "patient.id": p.id,
    "patient.name": `${p.first_name} ${p.last_name}`,
    "patient.first_name": p.first_name,
    "patient.last_name": p.last_name,
    "patient.email": p.email,
    "patient.phone": p.phone,
    "patient.address": p.address,
    "patient.date_of_birth": p.date_of_birth.slice(0, 10),
    "patient.gender": p.gender,
    "patient.source": p.source,
    "patient.age": age,
    "patient.age_band": ageBand(age),
    "patient.created_at": p.created_date.slice(0, 19),
    "patient.first_visit_at": visits[0]?.start ?? null,
    "patient.last_visit_at": last?.start ?? null,
    "patient.last_visit_service": last ? serviceName(last.lines[0]?.service_id) : null,
    "patient.next_appointment_at": next?.start ?? null,
    "patient.next_appointment_service": next ? serviceName(next.lines[0]?.service_id) : null,
    "patient.next_appointment_provider": next ? providers.get(next.lines[0]?.provider_id) ?? null : null,
    "patient.next_appointment_status": next?.status ?? null,
    "patient.visit_count": visits.length,
    "patient.lifetime_spend": spendByPatient.get(p.id) ?? 0,
    "patient.unpaid_visit_count": visits.filter((a) => !paymentByAppt.has(a.id)).length,
    // metrics.yaml: a visit, none in the last_90_days range [as_of-89, as_of], nothing upcoming
    "patient.is_lapsed": Boolean(last) && last.start < `${LAPSED_BEFORE}T00:00:00` && !next,
    _services: new Set(appts.flatMap((a) => a.lines.map((l) => serviceName(l.service_id)))),
    _providers: new Set(appts.flatMap((a) => a.lines.map((l) => providers.get(l.provider_id)))),
    _search: `${p.first_name} ${p.last_name} ${p.email}`.toLowerCase(),
    _digits: p.phone.replace(/\D/g, ""),
  };
});

const DIMENSIONS = Object.keys(rows[0]).filter((k) => !k.startsWith("_"));
const TYPES = {
  "patient.age": "integer", "patient.visit_count": "integer", "patient.lifetime_spend": "integer",
  "patient.unpaid_visit_count": "integer", "patient.created_at": "time", "patient.first_visit_at": "time",
  "patient.last_visit_at": "time", "patient.next_appointment_at": "time", "patient.date_of_birth": "date",
};

class QueryError extends Error {
  constructor(code, message, where, suggestions = []) {
    super(message);
    Object.assign(this, { code, where, suggestions });
  }
}

function matches(row, f, i) {
  const where = `filters[${i}]`;
  // single-value ops take `value`, in/not_in/between take `values` (the engine's shape)
  const vals = f.values ?? (f.value === undefined ? [] : [f.value]);
  if (f.field === "patient.search") {
    const text = String(vals[0] ?? "").trim().toLowerCase();
    if (!text) return true;
    const digits = text.replace(/\D/g, "");
    return row._search.includes(text) || (digits.length >= 3 && row._digits.includes(digits));
  }
  if (f.field === "service.name" || f.field === "provider.name") {
    const set = f.field === "service.name" ? row._services : row._providers;
    if (f.op !== "in") throw new QueryError("invalid_filter", `op ${f.op} not supported by the mock`, where);
    return vals.some((v) => set.has(v));
  }
  if (!DIMENSIONS.includes(f.field)) throw new QueryError("unknown_member", `unknown dimension '${f.field}'`, `${where}.field`);
  const v = row[f.field];
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
    case "is_null": return v === null;
    case "is_not_null": return v !== null;
    default: throw new QueryError("invalid_filter", `unknown op '${f.op}'`, `${where}.op`);
  }
}

function runQuery(q) {
  const only = q.dimensions?.length === 1 ? q.dimensions[0] : null;
  if (only === "service.name" || only === "provider.name") {
    const names = [...(only === "service.name" ? [...services.values()].map((s) => s.name) : providers.values())].sort();
    return { columns: [{ name: only, kind: "dimension", type: "string", label: only }], rows: names.map((n) => ({ [only]: n })), total_rows: names.length, meta: { as_of: AS_OF, range: null, duration_ms: 0.3, warnings: [] } };
  }
  if (q.measures?.length) throw new QueryError("invalid_grouping", "the mock only lists patients", "measures");
  const dims = q.dimensions ?? [];
  dims.forEach((d, i) => {
    if (!DIMENSIONS.includes(d)) throw new QueryError("unknown_member", `unknown dimension '${d}'`, `dimensions[${i}]`, DIMENSIONS.filter((n) => n.split(".")[1]?.startsWith(d.split(".")[1]?.slice(0, 4) ?? "")).slice(0, 3));
  });
  const limit = q.limit ?? 1000;
  if (limit > 10000) throw new QueryError("limit_exceeded", "limit is capped at 10000", "limit");
  let out = rows.filter((r) => (q.filters ?? []).every((f, i) => matches(r, f, i)));
  const order = [...(q.order ?? []), { field: "patient.id", dir: "asc" }];
  out = out.slice().sort((a, b) => {
    for (const o of order) {
      const x = a[o.field], y = b[o.field];
      if (x === y) continue;
      // nulls last whatever the direction (what the real engine should do too)
      if (x === null) return 1;
      if (y === null) return -1;
      const c = x < y ? -1 : 1;
      return o.dir === "desc" ? -c : c;
    }
    return 0;
  });
  const offset = q.offset ?? 0;
  let projected = out.map((r) => Object.fromEntries(dims.map((d) => [d, r[d]])));
  if (!dims.includes("patient.id")) {
    const seen = new Set();
    projected = projected.filter((r) => { const k = JSON.stringify(r); if (seen.has(k)) return false; seen.add(k); return true; });
  }
  const total = projected.length;
  const page = projected.slice(offset, offset + limit);
  return {
    columns: dims.map((d) => ({ name: d, kind: TYPES[d] === "time" ? "time" : "dimension", type: TYPES[d] ?? "string", label: d })),
    rows: page,
    total_rows: total,
    meta: { as_of: AS_OF, range: null, duration_ms: 1.2, warnings: [] },
  };
}

function patientRecord(id) {
  const p = patients.find((x) => x.id === id);
  if (!p) return null;
  const r = rows.find((x) => x["patient.id"] === id);
  const appts = (apptsByPatient.get(id) ?? []).slice().sort((a, b) => (b.start ?? "").localeCompare(a.start ?? ""));
  return {
    patient: {
      id, first_name: p.first_name, last_name: p.last_name, name: r["patient.name"],
      date_of_birth: p.date_of_birth.slice(0, 10), age: r["patient.age"], gender: p.gender, source: p.source,
      address: p.address, phone: p.phone, email: p.email, created_at: p.created_date.slice(0, 19),
    },
    stats: {
      lifetime_spend: r["patient.lifetime_spend"], visit_count: r["patient.visit_count"],
      average_ticket: (() => {
        const paid = appts.filter((a) => paymentByAppt.has(a.id));
        return paid.length ? Math.round(r["patient.lifetime_spend"] / paid.length) : null;
      })(),
      first_visit_at: r["patient.first_visit_at"], last_visit_at: r["patient.last_visit_at"],
      next_appointment_at: r["patient.next_appointment_at"], unpaid_visit_count: r["patient.unpaid_visit_count"],
    },
    appointments: appts.map((a) => {
      const pay = paymentByAppt.get(a.id);
      return {
        id: a.id, status: a.status, start_at: a.start, end_at: a.end, is_visit: a.is_visit, is_upcoming: a.is_upcoming,
        lines: a.lines.map((l) => ({
          service_name: serviceName(l.service_id), provider_name: providers.get(l.provider_id),
          start: l.start, end: l.end, list_price: services.get(l.service_id)?.price ?? 0,
        })),
        payment: pay ? { id: pay.id, amount: pay.amount, method: pay.method, status: pay.status, date: pay.date } : null,
      };
    }),
    as_of: AS_OF,
  };
}

const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

// Sign-in like the real API: demo users, an HttpOnly session cookie, 401 without it.
const USERS = { frontdesk: ["frontdesk-demo-pass", "front_desk"], manager: ["manager-demo-pass", "manager"] };
const sessions = new Map();
const COOKIE = "medspa_session";
const sessionOf = (req) => {
  const match = new RegExp(`(?:^|; )${COOKIE}=([^;]+)`).exec(req.headers.cookie ?? "");
  return match ? sessions.get(match[1]) ?? null : null;
};
const authOff = process.env.MOCK_AUTH === "0";

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://mock");
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    const delay = Number(process.env.MOCK_DELAY_MS ?? 120);
    setTimeout(() => {
      try {
        if (process.env.MOCK_DB_DOWN === "1" && url.pathname.startsWith("/api/")) {
          if (url.pathname === "/api/health") return send(res, 503, { status: "degraded", database: "unreachable" });
          return send(res, 503, { error: { code: "database_unavailable", message: "The database is not reachable.", path: null, suggestions: [] } });
        }
        if (req.method === "GET" && url.pathname === "/api/health") return send(res, 200, { status: "ok", database: "ok" });
        if (req.method === "POST" && url.pathname === "/api/auth/login") {
          const { username = "", password = "" } = JSON.parse(raw || "{}");
          const user = USERS[username];
          if (!user || user[0] !== password) return send(res, 401, { error: { code: "invalid_credentials", message: "wrong username or password", path: null, suggestions: [] } });
          const token = Math.random().toString(36).slice(2) + Date.now().toString(36);
          sessions.set(token, { username, role: user[1] });
          return send(res, 200, { username, role: user[1] }, { "set-cookie": `${COOKIE}=${token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200` });
        }
        const who = authOff ? { username: "dev", role: "manager" } : sessionOf(req);
        if (url.pathname.startsWith("/api/") && !who) {
          return send(res, 401, { error: { code: "unauthenticated", message: "sign in first (POST /api/auth/login) or send an API key", path: null, suggestions: [] } });
        }
        if (req.method === "GET" && url.pathname === "/api/auth/me") return send(res, 200, who);
        if (req.method === "POST" && url.pathname === "/api/auth/logout") {
          const match = new RegExp(`(?:^|; )${COOKIE}=([^;]+)`).exec(req.headers.cookie ?? "");
          if (match) sessions.delete(match[1]);
          res.writeHead(204, { "set-cookie": `${COOKIE}=; Path=/; Max-Age=0` });
          return res.end();
        }
        if (req.method === "GET" && url.pathname === "/openapi.json") return send(res, 200, { openapi: "3.1.0", info: { title: "mock", version: "0" }, paths: {} });
        if (req.method === "GET" && url.pathname === "/api/catalog") {
          return send(res, 200, {
            as_of: AS_OF, measures: [],
            dimensions: DIMENSIONS.map((d) => ({ name: d, label: d, kind: TYPES[d] === "time" ? "time" : "dimension", type: TYPES[d] ?? "string" })),
            values: { "service.name": [...services.values()].map((s) => s.name).sort(), "provider.name": [...providers.values()].sort() },
          });
        }
        if (req.method === "POST" && url.pathname === "/api/query") return send(res, 200, runQuery(JSON.parse(raw || "{}")));
        if (req.method === "POST" && url.pathname === "/api/query/sql") return send(res, 200, { sql: "-- mock\nSELECT 1", dialect: url.searchParams.get("dialect") ?? "postgres" });
        const m = url.pathname.match(/^\/api\/patients\/([^/]+)$/);
        if (req.method === "GET" && m) {
          const rec = patientRecord(decodeURIComponent(m[1]));
          return rec ? send(res, 200, rec) : send(res, 404, { error: { code: "not_found", message: `no patient '${m[1]}'`, path: "id", suggestions: [] } });
        }
        send(res, 404, { error: { code: "not_found", message: `no route ${req.method} ${url.pathname}`, path: null, suggestions: [] } });
      } catch (err) {
        if (err instanceof QueryError) return send(res, 400, { error: { code: err.code, message: err.message, path: err.where, suggestions: err.suggestions } });
        send(res, 500, { error: { code: "internal", message: String(err), path: null, suggestions: [] } });
      }
    }, delay);
  });
});

const port = Number(process.env.MOCK_PORT ?? process.env.API_PORT ?? 8000);
server.listen(port, "127.0.0.1", () => console.log(`mock API on http://127.0.0.1:${port} (as_of ${AS_OF}, ${rows.length} patients)`));
