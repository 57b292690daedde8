"""The exporter's web side, split as exporter-toolkit splits its `web/`.

- `listen`: `--web.listen-address` parsing, what to bind for it, binding without DNS.
- `web_config`: the `--web.config.file` YAML (exporter-toolkit's format), parsed and validated.
- `tls`: server SSL contexts from `tls_server_config`, re-read when the files change.
- `auth`: basic auth, the bcrypt checker and the WSGI middleware in front of every path.
- `handler`: one connection's request, read under a deadline and answered by wsgiref.
- `server`: the threaded server: connection bound, handshakes off the accept loop, drain.
- `app`: the WSGI app behind all that (/metrics, /, the probes); `page` renders `/`.

Imports flow one way: server -> web_config, auth, handler, listen; web_config -> tls, auth;
tls and auth -> config_error (the one `WebConfigError`); app -> cache, collector, page.
"""
