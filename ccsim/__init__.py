"""ccsim: an agent-based simulation (Mesa) of organisational culture versus customer outcomes."""

from ccsim.model import CultureModel
from ccsim.params import PARAMS

__version__ = "0.1.0"


def load_scenario(name_or_path):
    """A preset from scenarios/*.toml (see ccsim.scenarios)."""
    from ccsim.scenarios import load_scenario as _load

    return _load(name_or_path)


__all__ = ["CultureModel", "PARAMS", "load_scenario", "__version__"]
