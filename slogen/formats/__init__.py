"""Foreign spec formats (Sloth, OpenSLO) mapped onto the native `slogen/v1` specs.

Each format turns its documents into native `ServiceSpec` objects whose source is a
`MappedSource`: positions of the native fields point back at the user's own file and line,
so every check downstream reports problems where the user can fix them. Registered in
`slogen.spec.FORMATS`."""
