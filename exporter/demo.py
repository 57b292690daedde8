"""The simulator's made-up credentials, defined once for the simulator and the CLI.

Not secrets: `serve --demo` and `check --demo` use them against the embedded simulator, and
`simulate` logs them so a user can point a client at it. A module of its own so that the CLI
can name them without importing the simulator.
"""

DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"  # noqa: S105 (the demo's made-up credential)
