"""Stage 5, the only code that touches the output folder: render files to bytes (render), stream
them into a scratch tree or compare them with out/ (sinks), swap the tree in atomically (tree), and
keep the build record that lets the next build redo only what changed (cache, incremental)."""
from slogen.write.tree import (Busy, CheckResult, Moved, Overlay, Tree, clean_dead_scratch, identity, read_tree,
                               survey)
from slogen.write.render import render
from slogen.write.sinks import write_tree

__all__ = ["Busy", "CheckResult", "Moved", "Overlay", "Tree", "clean_dead_scratch", "identity", "read_tree", "render", "survey", "write_tree"]
