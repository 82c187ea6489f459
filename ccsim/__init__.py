"""ccsim: an agent-based simulation (Mesa) of organisational culture versus customer outcomes."""

from ccsim.params import PARAMS

__version__ = "0.1.0"


def __getattr__(name):
    # ``ccsim.CultureModel`` and ``ccsim.Market`` on first use: importing Mesa takes about 1.7 s, which every
    # ``ccsim`` command (and ``ccsim ui``'s start-up) would otherwise pay
    if name == "CultureModel":
        from ccsim.model import CultureModel

        return CultureModel
    if name == "Market":
        from ccsim.market import Market

        return Market
    raise AttributeError(f"module 'ccsim' has no attribute {name!r}")


def load_scenario(name_or_path):
    """A preset from scenarios/*.toml (see ccsim.scenarios)."""
    from ccsim.scenarios import load_scenario as _load

    return _load(name_or_path)


__all__ = ["CultureModel", "Market", "PARAMS", "load_scenario", "__version__"]
