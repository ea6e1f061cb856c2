"""Where calls come from: one module per source format, the registry, and the only network code.

``ftportal`` (the Funding & Tenders Portal API), ``feeds`` (RSS/Atom), ``extract`` (facts from
free text), ``registry`` (``calls/sources.toml``, ``calls/programmes.toml``), ``snapshot`` (the
bundled offline calls), ``http`` (fetching).
"""
