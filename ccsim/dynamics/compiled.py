"""The customers' week in a few compiled passes (numba), on the numbers the numpy path draws.

The numpy path (CultureModel._serve_customers, _serve_problems, _spread_word) makes about
sixty array calls a week, mostly on small arrays.  These kernels walk the customers
instead, in one or two passes each, reading the numbers the model draws from the same
per-mechanism streams with the same numpy calls (numba can draw from a numpy
``Generator`` itself, but each draw took about four times as long, and handing a kernel a
generator cost about 10 us a call; docs/DEVELOPING.md, Speed notes).  Every operation that
sets state (satisfaction, warnings, status, grievances, tenure, the counts the money comes
from) is done in the same float width and order as in the numpy path, so the runs are
bit-identical.  The one difference: exp, log1p and expm1 in the chance to adopt come from
the C library here and from numpy's vectorised code there, which can differ in the last
bit; a chance is only compared with a uniform draw, so a decision could change only if a
draw fell between the two values (about 1e-11 per decision; docs/ODD.md, section 3).

Each kernel restates, in scalar form, the mechanisms of ccsim.dynamics it names (the
sources are cited there; tests/test_compiled.py fails when the two drift apart), and
takes their named constants as arguments: a numba cache is not invalidated when another
module changes, so the kernels read nothing from other modules.  Without numba installed,
``AVAILABLE`` is False and the model runs its numpy path.  Compiled code is cached beside
this file (or, if that is read-only, where numba's cache falls back to; NUMBA_CACHE_DIR
overrides both).
"""

from __future__ import annotations

import math

import numpy as np

try:
    import numba
except ImportError:     # a machine without numba's wheels runs the numpy path
    numba = None

AVAILABLE = numba is not None


def _jit(function):
    return numba.njit(cache=True, nogil=True)(function) if AVAILABLE else function


class Scratch:
    """The arrays the compiled week reuses besides the people's luck (model.Luck): the
    week's talk and adopt draws (as the numpy path draws them), the word heard
    (recommendations: this week's; warnings: zeros between weeks), the touched customers,
    their identities and the active customers."""

    def __init__(self, n: int):
        self.talk, self.adopt = np.empty((2, n), np.float32), np.empty(n, np.float32)
        self.positive, self.negative = np.zeros(n), np.zeros(n)
        self.touched, self.identity, self.active = np.empty((3, n), np.int64)


@_jit
def serve(active, u_touch, identity_of, normal, u_push, u_service, handler_of, fits, satisfaction,
          wronged_until, experience, resolve, touched, identity,
          touch_p, problem_p, survey_p, push_p, take_p, served, noise_sd, fit_weight,
          negativity, peak, end, duration, survey_annoyance, memory_rate,
          defect_share, admitted, empowerment, accountability, problem_memories, grievance_until):
    """Touchpoints, problems and recovery, memories (steps 4 and 4a of docs/ODD.md section 3):
    service.routine_moment, memory.remember_moment and memory.remember (a routine touch,
    then a push, a survey or both), service.recover (``resolve``: each employee's
    service.resolve_chance), memory.update_satisfaction.  The draws are the touch stream's
    (``u_touch``: touched, problem, survey; ``u_push``: pushed, buys) and the service
    stream's (``u_service``: from the defect, resolved, fast, recognised) for every customer.

    ``touched`` and ``identity`` (length n) receive the touched customers and their salient
    identities; returns (touched, problems, fast, slow, unresolved, pushed, push sales)."""
    f32 = np.float32
    touch_p32, problem_p32, survey_p32, push_p32, take_p32 = f32(touch_p), f32(problem_p), f32(survey_p), \
        f32(push_p), f32(take_p)
    served32, noise32, fit32, negativity32 = f32(served), f32(noise_sd), f32(fit_weight), f32(negativity)
    mean_weight = max(0.0, 1.0 - peak - end)
    one_moment = f32(peak + end + mean_weight + duration)
    keep, rate = f32(1.0 - memory_rate), f32(memory_rate)
    t = problems = fast = slow = unresolved = pushed = sales = 0
    for i in active:
        if not u_touch[0, i] < touch_p32:
            continue
        touched[t] = i
        identity[t] = identity_of[i]
        t += 1
        surveyed = u_touch[2, i] < survey_p32
        if u_touch[1, i] < problem_p32:
            problems += 1
            h = handler_of[i]
            if u_service[1, i] < resolve[h] and (not u_service[0, i] < defect_share or admitted):
                outcome = 0 if u_service[2, i] < empowerment else 1
                experience[h] += 1.0
                if u_service[3, i] < accountability:
                    experience[h] += 1.0
                if outcome == 0:
                    fast += 1
                else:
                    slow += 1
            else:
                outcome = 2
                unresolved += 1
                experience[h] -= 1.0
                wronged_until[i] = grievance_until
            remembered = f32(problem_memories[2 * outcome + surveyed])
        else:
            value = normal[i] * noise32 + served32 + fit32 * fits[i, identity_of[i]]
            value = min(max(value, f32(-1.0)), f32(1.0))
            push = u_push[0, i] < push_p32
            if push:
                pushed += 1
                sales += u_push[1, i] < take_p32
            if not (surveyed or push):
                remembered = (value * negativity32 if value < 0 else value) * one_moment
            else:   # the moments: the touch, then -survey_annoyance for a push and for a survey
                first = float(value)
                first = first * negativity if first < 0 else first
                unwanted = -survey_annoyance
                unwanted = unwanted * negativity if unwanted < 0 else unwanted
                peak_value = first if abs(first) > 0.0 else 0.0
                end_value, total, length = first, 0.0 + first, 1
                for present in (push, surveyed):
                    if present:
                        peak_value = unwanted if abs(unwanted) > abs(peak_value) else peak_value
                        end_value, total, length = unwanted, total + unwanted, length + 1
                    else:
                        total += 0.0
                remembered = f32(peak * peak_value + end * end_value + mean_weight * (total / length)
                                 + duration * total)
        s = keep * satisfaction[i] + rate * remembered
        satisfaction[i] = min(max(s, f32(-1.0)), f32(1.0))
    return t, problems, fast, slow, unresolved, pushed, sales


@_jit
def _weekly(yearly):
    """wom.weekly for one chance."""
    return -math.expm1(math.log1p(-min(max(yearly, 0.0), 1.0 - 1e-9)) / 52.0)


@_jit
def _churn(s, hazard, step, competition):
    """loyalty.weekly_churn for one satisfaction, from its table (float32 throughout)."""
    f32 = np.float32
    position = (s + f32(1.0)) * f32((len(hazard) - 1) / 2)
    position = min(max(position, f32(0.0)), f32(len(hazard) - 1))
    floor = np.floor(position)
    whole = int(floor)
    chance = (hazard[whole] + (position - floor) * step[whole]) * competition
    return min(max(chance, f32(0.0)), f32(1.0))


@_jit
def spread(u_talk, u_adopt, u_churn, status, satisfaction, wronged_until, warnings_heard, joined,
           indptr, indices, weights, positive, negative, active,
           week, active_code, lost_code, rival_code, talk_rate, warn_rate, promoter, wronged_at,
           fading, p, q, warning_weight, winback, hearsay, hazard, step, competition, newcomer):
    """Word of mouth, adoption and churn (step 5 of docs/ODD.md section 3): loyalty.is_promoter,
    wom.talkers, wom.reach with bincount, wom.remember_warnings, wom.adoption_chance,
    wom.weekly, loyalty.weekly_churn, from the statuses at the start of the step.  The draws
    are the talk stream's (``u_talk``: recommend, warn), the adopt and the churn streams'.

    ``positive`` (length n) receives the share of each person's contacts recommending this
    week; ``negative`` holds zeros of length n and is left so; ``active`` (length n)
    receives the active customers at the end.  A status of ``rival_code`` or more (with a
    rival firm of a ccsim.Market) is out of reach.  Returns (recommending, warning,
    churned, joined, active)."""
    f32 = np.float32
    n = len(status)
    talk_rate32, warn_rate32, promoter32, wronged32 = f32(talk_rate), f32(warn_rate), f32(promoter), f32(wronged_at)
    positive[:] = 0.0
    recommend = np.empty(n, np.int64)
    warn = np.empty(n, np.int64)
    r = m = 0
    for i in range(n):
        is_active = status[i] == active_code
        if is_active and satisfaction[i] > promoter32 and u_talk[0, i] < talk_rate32:
            recommend[r] = i
            r += 1
        wronged = wronged_until[i] > week or (satisfaction[i] <= wronged32 and is_active)
        if wronged and u_talk[1, i] < warn_rate32:
            warn[m] = i
            m += 1
    for heard, talkers, count in ((positive, recommend, r), (negative, warn, m)):
        for c in range(count):
            j = talkers[c]
            for e in range(indptr[j], indptr[j + 1]):
                heard[indices[e]] += float(weights[e])
    most = 0.0
    for c in range(r):
        j = recommend[c]
        for e in range(indptr[j], indptr[j + 1]):
            most = max(most, positive[indices[e]])
    threshold = _weekly(p + q * most)      # above it nobody joins this week
    competition32, fading32, newcomer32 = f32(competition), f32(fading), f32(newcomer)
    highest = _churn(f32(-1.0), hazard, step, competition32)   # above it nobody leaves
    churned = joins = count = 0
    for i in range(n):
        heard_now, recommended = negative[i], positive[i]
        negative[i] = 0.0
        heard_before = warnings_heard[i] * fading32
        if heard_now != 0.0:
            heard_before = f32(float(heard_before) + heard_now)
        warnings_heard[i] = heard_before
        if status[i] != active_code:
            if u_adopt[i] < threshold and status[i] < rival_code:
                chance = p + q * recommended
                if heard_before != 0.0:
                    chance *= float(np.exp(f32(-warning_weight) * heard_before))
                chance = _weekly(min(max(chance, 0.0), 1.0))
                chance *= winback if status[i] == lost_code else 1.0
                if u_adopt[i] < chance:
                    status[i] = active_code
                    joined[i] = week - 1
                    satisfaction[i] = newcomer32
                    joins += 1
        else:
            if heard_now != 0.0:
                satisfaction[i] = max(float(satisfaction[i]) - hearsay * heard_now, -1.0)
            if u_churn[i] < highest and u_churn[i] < _churn(satisfaction[i], hazard, step, competition32):
                status[i] = lost_code
                churned += 1
        if status[i] == active_code:
            active[count] = i
            count += 1
    return r, m, churned, joins, count


@_jit
def tenure_weeks(joined, active, week, cap):
    """Sum over active customers of their weeks of tenure, each at most ``cap`` (economics)."""
    total = 0
    for i in active:
        total += min(week - joined[i], cap)
    return total
