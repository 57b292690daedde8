"""The Status API source and what only it needs.

`source` (ApiSource: one collection), `client` (every request with the bearer token and the
API key, one retry after a 401), `token` (OAuth server-to-server tokens from Adobe IMS) and
`messages` (Adobe's texts, cached by token). Nothing is imported here: the token provider
brings in Authlib, which the feed source does without.
"""
