"""Events on a timeline: a defect appears, a shock cuts demand, a new leader arrives,
a parameter is changed (by a preset or by a trainer moving a slider mid-run).

Events are data (kind, week, arguments), checked here; the model applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ccsim.params import CULTURE_TRAITS, FIXED_SIZES, ParamError, validate

# kind -> {argument: (low, high, help)}; "set" and "new_leader" take parameters instead.
EVENT_KINDS = {
    "set": "change parameters from this week on",
    "new_leader": "a new leader arrives with these culture traits and an open mind",
    "defect": "a defect appears in the offering (severity 0-1)",
    "shock": "demand falls for everyone (demand multiplier, churn multiplier, weeks)",
}
SHOCK_ARGS = {"demand": (0.0, 1.0), "churn": (1.0, 10.0), "weeks": (1, 520)}
DEFECT_ARGS = {"severity": (0.0, 1.0)}


@dataclass(frozen=True)
class Event:
    week: int
    kind: str
    args: dict = field(default_factory=dict)
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.kind.replace("_", " ")


def make_event(week, kind: str, args: dict | None = None, label: str = "",
               where: str = "event", max_week: int | None = None) -> Event:
    """Check and build an Event; raise ParamError naming ``where`` and the field."""
    args = dict(args or {})
    if kind not in EVENT_KINDS:
        raise ParamError(f"{where}: unknown event kind {kind!r}; allowed: {', '.join(EVENT_KINDS)}")
    if isinstance(week, bool) or not isinstance(week, int) or week < 1:
        raise ParamError(f"{where}: week={week!r} must be a whole number >= 1")
    if max_week is not None and week > max_week:
        raise ParamError(f"{where}: week={week} is past the end of the run (week {max_week})")
    if kind in ("set", "new_leader"):
        if not args:
            raise ParamError(f"{where}: a {kind} event needs parameters to set")
        args = validate(args, where)
        fixed = [k for k in args if k in FIXED_SIZES]
        if fixed:
            raise ParamError(f"{where}: {fixed[0]} sets the size of the model and cannot change "
                             f"mid-run; allowed: any parameter but {', '.join(FIXED_SIZES)}")
        if kind == "new_leader":
            bad = [k for k in args if k not in CULTURE_TRAITS]
            if bad:
                raise ParamError(f"{where}: new_leader sets culture traits only, not {bad[0]!r}; "
                                 f"allowed: {', '.join(CULTURE_TRAITS)}")
    else:
        spec = SHOCK_ARGS if kind == "shock" else DEFECT_ARGS
        for name, value in args.items():
            if name not in spec:
                raise ParamError(f"{where}: unknown {kind} argument {name!r}; allowed: {', '.join(spec)}")
            lo, hi = spec[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
                raise ParamError(f"{where}: {kind} {name}={value!r} must be a number in [{lo}, {hi}]")
        missing = [n for n in spec if n not in args]
        if missing:
            raise ParamError(f"{where}: {kind} event needs {', '.join(missing)}")
    return Event(int(week), kind, args, str(label))
