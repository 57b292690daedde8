"""The exporter's web side, split as exporter-toolkit splits its `web/`.

- `listen`: `--web.listen-address` parsing, what to bind for it, binding without DNS.
- `config`: the `--web.config.file` YAML (exporter-toolkit's format), parsed and validated.
- `tls`: server SSL contexts from `tls_server_config`, re-read when the files change.
- `auth`: basic auth, the bcrypt checker and the WSGI middleware in front of every path.
- `handler`: one connection's request, read under a deadline and answered by wsgiref.
- `server`: the threaded server: connection bound, handshakes off the accept loop, drain.

Imports flow one way: server -> config, auth, handler, listen; config -> tls, auth; tls and
auth -> errors (the one `WebConfigError`).
"""
