"""The application: FastAPI app, command line, seed data and AI tools over the semantic layer."""

from service.schema_facts import register

register()  # the semantic layer validates catalogs against models.py's tables (semantic.use_schema)
