"""Tools for the people who review and answer for the generated rules: `diff` (what a spec change
does to the alerts), `explain` (when each alert fires, and what it costs), `init` (a first spec).

Each module is plain library code that returns text and diagnostics; `slogen.cli` only wires it up."""

