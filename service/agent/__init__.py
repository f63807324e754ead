"""AI-ready access to the semantic layer: MCP tools, their JSON schemas and the `/api/ask` loop.

Everything here acts in the `agent` role and reaches data only through the query contract's own
endpoints (`/api/catalog`, `/api/query`, `/api/query/sql`), called in-process.
"""
