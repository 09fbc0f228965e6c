"""`python -m slogen`, and the `slogen` command (pyproject.toml): the collector's thresholds are
raised before the command's modules are imported (see slogen.GC_THRESHOLDS)."""
import gc

from slogen import GC_THRESHOLDS


def run() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    from slogen.cli import main

    main()


if __name__ == "__main__":
    run()
