"""Stage 1: files on disk → plain data that remembers where every value came from."""
from slogen.load.discover import dashboards_folder, discover
from slogen.load.yaml_positions import Source, load_file, load_text

__all__ = ["Source", "dashboards_folder", "discover", "load_file", "load_text"]
