"""The week in a few compiled passes (numba), on the numbers the numpy path draws.

The numpy path (CultureModel._serve_customers, _serve_problems, _spread_word,
_organisation_learns, _leaders_learn and the reporters of ccsim.metrics) makes about a
hundred array calls a week, mostly on small arrays.  These kernels walk the customers
and the staff instead, in one or two passes each, reading the numbers the model draws
from the same per-mechanism streams with the same numpy calls (numba can draw from a numpy
``Generator`` itself, but each draw took about four times as long, and handing a kernel a
generator cost about 10 us a call; docs/DEVELOPING.md, Speed notes).  Every operation that
sets state (satisfaction, warnings, status, grievances, tenure, the counts the money comes
from, morale, beliefs, the leaders' code) or is reported (numpy's pairwise sums: _pairwise)
is done in the same float width and order as in the numpy path, so the runs are
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
    week's adopt draws (as the numpy path draws them), the word heard
    (recommendations: this week's; warnings: zeros between weeks), the touched customers,
    their identities, the active customers and who talks (kernels.spread); the reporters'
    buffer (kernels.report); and for ``e`` employees, the staff's week's draws and who
    leaves."""

    def __init__(self, n: int, e: int):
        self.adopt = np.empty(n, np.float32)
        self.positive, self.negative = np.zeros(n), np.zeros(n)
        self.touched, self.identity, self.active, self.recommend, self.warn = np.empty((5, n), np.int64)
        self.report = np.empty((5, n), np.float32)
        self.staff, self.normal, self.left = np.empty((5, e)), np.empty(e), np.empty(e, np.bool_)


@_jit
def serve(active, u_touch, identity_of, normal, u_push, u_service, handler_of, fits, satisfaction,
          wronged_until, experience, skill, touched, identity,
          touch_p, problem_p, survey_p, push_p, take_p, served, noise_sd, fit_weight,
          negativity, peak, end, duration, survey_annoyance, memory_rate,
          defect_share, admitted, empowerment, channel, accountability, problem_memories, grievance_until):
    """Touchpoints, problems and recovery, memories (steps 4 and 4a of docs/ODD.md section 3):
    service.routine_moment, memory.remember_moment and memory.remember (a routine touch,
    then a push, a survey or both), service.recover (``skill``: each employee's,
    ``channel``: the usual channel's chance), memory.update_satisfaction.  The draws are the touch stream's
    (``u_touch``: touched, problem, survey; ``u_push``: pushed, buys) and the service
    stream's (``u_service``: from the defect, can or the channel, may, recognised) for every customer.

    ``touched`` and ``identity`` (length n) receive the touched customers and their salient
    identities; returns (touched, problems, fast, slow, unresolved, pushed, push sales)."""
    f32 = np.float32
    touch_p32, problem_p32, survey_p32, push_p32, take_p32 = f32(touch_p), f32(problem_p), f32(survey_p), \
        f32(push_p), f32(take_p)
    served32, noise32, fit32, negativity32 = f32(served), f32(noise_sd), f32(fit_weight), f32(negativity)
    mean_weight = max(0.0, 1.0 - peak - end)
    one_moment = f32(peak + end + mean_weight + duration)
    keep, rate = f32(1.0 - memory_rate), f32(memory_rate)
    unwanted = -survey_annoyance
    unwanted = unwanted * negativity if unwanted < 0 else unwanted
    # the touched first (half the active customers at the defaults): each active customer
    # is written at the next free place, which moves on only when the draw says so (no
    # branch for the predictor to miss; the same customers in the same order)
    t = 0
    for i in active:
        touched[t] = i
        t += u_touch[0, i] < touch_p32
    problems = fast = slow = unresolved = pushed = sales = 0
    for c in range(t):
        i = touched[c]
        k = identity_of[i]
        identity[c] = k
        surveyed = u_touch[2, i] < survey_p32
        if u_touch[1, i] < problem_p32:
            problems += 1
            h = handler_of[i]
            may = u_service[2, i] < empowerment
            fast_fix = may and u_service[1, i] < skill[h]
            rest = (u_service[1, i] - skill[h]) / (1.0 - skill[h]) if may else u_service[1, i]
            if (fast_fix or rest < channel) and (not u_service[0, i] < defect_share or admitted):
                outcome = 0 if fast_fix else 1
                experience[h] += 2.0 if u_service[3, i] < accountability else 1.0
                fast += fast_fix
                slow += not fast_fix
            else:
                outcome = 2
                unresolved += 1
                experience[h] -= 1.0
                wronged_until[i] = grievance_until
            remembered = f32(problem_memories[2 * outcome + surveyed])
        else:
            value = normal[i] * noise32 + served32 + fit32 * fits[i, k]
            value = min(max(value, f32(-1.0)), f32(1.0))
            push = u_push[0, i] < push_p32
            pushed += push
            sales += push & (u_push[1, i] < take_p32)
            if not (surveyed or push):
                remembered = (value * negativity32 if value < 0 else value) * one_moment
            else:   # the moments: the touch, then -survey_annoyance for a push and for a survey
                first = float(value)
                first = first * negativity if first < 0 else first
                # the peak is the touch unless the unwanted moment is larger; the end is the unwanted
                peak_value = unwanted if abs(unwanted) > abs(first) else (first if abs(first) > 0.0 else 0.0)
                total = 0.0 + first
                total = total + unwanted if push else total + 0.0
                total = total + unwanted if surveyed else total + 0.0
                length = 1 + push + surveyed
                remembered = f32(peak * peak_value + end * unwanted + mean_weight * (total / length)
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
           indptr, indices, weights, positive, negative, active, recommend, warn,
           week, active_code, lost_code, rival_code, talk_rate, warn_rate, promoter, wronged_at,
           fading, p, q, warning_weight, winback, hearsay, hazard, step, competition, newcomer):
    """Word of mouth, adoption and churn (step 5 of docs/ODD.md section 3): loyalty.is_promoter,
    wom.talkers, wom.reach with bincount, wom.remember_warnings, wom.adoption_chance,
    wom.weekly, loyalty.weekly_churn, from the statuses at the start of the step.  The draws
    are the talk stream's (``u_talk``: recommend, warn), the adopt and the churn streams'.

    ``positive`` (length n) receives the share of each person's contacts recommending this
    week; ``negative`` holds zeros of length n and is left so; ``active`` (length n)
    receives the active customers at the end; ``recommend`` and ``warn`` (length n) are
    scratch for who talks.  A status of ``rival_code`` or more (with a rival firm of a
    ccsim.Market) is out of reach.  Returns (recommending, warning,
    churned, joined, active)."""
    f32 = np.float32
    n = len(status)
    talk_rate32, warn_rate32, promoter32, wronged32 = f32(talk_rate), f32(warn_rate), f32(promoter), f32(wronged_at)
    positive[:] = 0.0
    # who talks, without a branch on the draws: every person is written at the next free
    # place and kept by moving on only when they talk
    r = m = 0
    for i in range(n):
        is_active = status[i] == active_code
        s = satisfaction[i]
        recommend[r] = i
        r += is_active & (s > promoter32) & (u_talk[0, i] < talk_rate32)
        warn[m] = i
        m += ((wronged_until[i] > week) | ((s <= wronged32) & is_active)) & (u_talk[1, i] < warn_rate32)
    # what they reach; the most anyone heard is the largest share reached (shares are
    # positive, so a running maximum of the sums is the maximum of the final ones)
    most = 0.0
    for c in range(r):
        j = recommend[c]
        for e in range(indptr[j], indptr[j + 1]):
            heard_now = positive[indices[e]] + float(weights[e])
            positive[indices[e]] = heard_now
            most = max(most, heard_now)
    for c in range(m):
        j = warn[c]
        for e in range(indptr[j], indptr[j + 1]):
            negative[indices[e]] += float(weights[e])
    threshold = _weekly(p + q * most)      # above it nobody joins this week
    competition32, fading32, newcomer32 = f32(competition), f32(fading), f32(newcomer)
    caution = f32(-warning_weight)
    highest = _churn(f32(-1.0), hazard, step, competition32)   # above it nobody leaves
    quiet = _weekly(min(max(p + q * 0.0, 0.0), 1.0))     # the chance of one who heard nothing
    quiet_lost = quiet * winback
    unbounded = warning_weight < 0.0 or winback < 0.0      # outside the parameters' ranges
    # the warnings heard this week: remembered, fading, and hearsay for active customers
    # (selects only, so the compiler can do several people at once)
    for i in range(n):
        heard_now = negative[i]
        negative[i] = 0.0
        heard = heard_now != 0.0
        faded = warnings_heard[i] * fading32
        warnings_heard[i] = f32(float(faded) + heard_now) if heard else faded
        s = satisfaction[i]
        hearsaid = f32(max(float(s) - hearsay * heard_now, -1.0))
        satisfaction[i] = hearsaid if (status[i] == active_code) & heard else s
    # adoption and churn: someone who heard nothing has the week's quiet chance (computed
    # once), and someone who heard only warnings at most that (they deter: exp(-w x) <= 1,
    # at least 6e-8 below 1 unless exactly 1, far beyond the C library's last bit), so only
    # those who heard a recommendation, or warnings and drew below it, need their own; the
    # branches left are taken by few (draws below the week's highest chances)
    churned = joins = count = 0
    for i in range(n):
        status_i = status[i]
        is_active = status_i == active_code
        prospect = (not is_active) & (status_i < rival_code)
        u = u_adopt[i]
        chance = quiet_lost if status_i == lost_code else quiet
        recommended, heard_before = positive[i], warnings_heard[i]
        if prospect & (u < threshold) & ((recommended != 0.0) | ((heard_before != 0.0) & ((u < chance) | unbounded))):
            chance = p + q * recommended
            if heard_before != 0.0:
                chance *= float(np.exp(caution * heard_before))
            chance = _weekly(min(max(chance, 0.0), 1.0))
            chance *= winback if status_i == lost_code else 1.0
        if prospect & (u < threshold) & (u < chance):
            status[i] = active_code
            joined[i] = week - 1
            satisfaction[i] = newcomer32
            joins += 1
            is_active = True
        elif is_active & (u_churn[i] < highest):
            if u_churn[i] < _churn(satisfaction[i], hazard, step, competition32):
                status[i] = lost_code
                churned += 1
                is_active = False
        active[count] = i
        count += is_active
    return r, m, churned, joins, count


@_jit
def quits(u_quit, morale, turnover, sensitivity, left):
    """Who leaves this week (workforce.quit_chance): fills the mask ``left``, returns how many."""
    count = 0
    for j in range(len(morale)):
        chance = min(max(turnover * (1.0 + sensitivity * 2.0 * (0.5 - morale[j])), 0.0), 1.0)
        left[j] = u_quit[j] < chance
        count += left[j]
    return count


@_jit
def staff(u_staff, normal, left, fresh_beliefs, fresh_reticence, beliefs, reticence, morale, tenure,
          speaking, spoke, experience, touched, identity, deviation, reality, cumulative, total,
          learn_p, humility, safe, rate, step, cap):
    """The staff's week after ``left`` (kernels.quits; steps 6 and 7 of docs/ODD.md section 3):
    leavers replaced by newcomers (``fresh_beliefs``, ``fresh_reticence``: a newcomer's for
    every post, or empty when nobody left), tenure, insights from the ``touched`` customers
    (needs.revealed on the ``cumulative`` importance summing to ``total``, needs.salient_need,
    learning.learn_from_customers), workforce.speak_up (``safe``: its safety), workforce.heard
    and workforce.update_morale.  The draws are the staff stream's (``u_staff``: quit,
    learn, serve, heard, the need revealed; ``normal``)."""
    e, m, t = len(morale), reality.shape[0], len(touched)
    for j in range(e):
        if left[j]:
            for d in range(m):
                beliefs[0, j, d] = fresh_beliefs[j, d]
            reticence[j], morale[j], tenure[j] = fresh_reticence[j], 0.5, 0.0
        tenure[j] += 1.0
        if t and u_staff[1, j] < learn_p:
            served = int(u_staff[2, j] * t)
            dim, x = 0, u_staff[4, j] * total      # np.searchsorted(cumulative, x), clipped to m - 1
            while dim < m - 1 and cumulative[dim] < x:
                dim += 1
            beliefs[0, j, dim] = reality[dim] * deviation[touched[served], identity[served], dim]
        speaking[j] = reticence[j] < safe * min(max(0.5 + morale[j], 0.0), 1.0)
        spoke[j] |= speaking[j]
        listened = speaking[j] and u_staff[3, j] < humility
        experience[j] += 1.0 if listened else (-1.0 if speaking[j] else 0.0)
        felt = step * min(max(experience[j], -cap), cap)
        morale[j] = min(max(morale[j] + rate * (0.5 - morale[j]) + felt + 0.02 * normal[j], 0.0), 1.0)


@_jit
def march(reality, code, beliefs, coins, u_social, u_code, u_misread, p1, stay, heard, misread):
    """One period of March's mutual learning for one firm (learning.period: act, individual_scores,
    code_score, socialise, learn_code), ``heard`` masking who the leaders hear.  The draws
    are the period's generator's, in its order: ``coins`` (bytes, a bit per belief, most
    significant first), ``u_social`` (one per belief), ``u_code`` and, when ``misread`` > 0,
    ``u_misread`` (one per need); ``stay[k]`` is (1 - p2) ** k, computed by numpy."""
    e, m = beliefs.shape
    known = 0
    for d in range(m):
        known += code[d] * reality[d]
    actions = np.empty((e, m), np.int8)
    superior = np.empty(e, np.bool_)
    for j in range(e):
        score = 0
        for d in range(m):
            i = j * m + d
            a = beliefs[j, d] if beliefs[j, d] != 0 else ((coins[i >> 3] >> (7 - (i & 7))) & 1) * 2 - 1
            actions[j, d] = a
            score += a * reality[d]
        superior[j] = score > known and heard[j]
    for j in range(e):
        for d in range(m):
            if code[d] != 0 and beliefs[j, d] != code[d] and u_social[j * m + d] < p1:
                beliefs[j, d] += 1 if code[d] > beliefs[j, d] else -1
    for d in range(m):
        votes = 0
        for j in range(e):
            votes += actions[j, d] * superior[j]
        majority = (votes > 0) - (votes < 0)
        change = majority != 0 and majority != code[d] and u_code[d] < 1.0 - stay[abs(votes)]
        if misread > 0 and code[d] != 0 and u_misread[d] < misread:
            change = False
        if change:
            code[d] = majority


@_jit
def tenure_weeks(joined, active, week, cap):
    """Sum over active customers of their weeks of tenure, each at most ``cap`` (economics)."""
    total = 0
    for i in active:
        total += min(week - joined[i], cap)
    return total


@_jit
def _block_sum(a, lo, n):
    """numpy's sum of a block of at most 128 numbers a[lo:lo + n] (8 accumulators)."""
    if n < 8:
        total = a[lo] - a[lo]
        for i in range(lo, lo + n):
            total += a[i]
        return total
    r0, r1, r2, r3, r4, r5, r6, r7 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3], a[lo + 4], a[lo + 5], \
        a[lo + 6], a[lo + 7]
    end = lo + n - n % 8
    for i in range(lo + 8, end, 8):
        r0, r1, r2, r3 = r0 + a[i], r1 + a[i + 1], r2 + a[i + 2], r3 + a[i + 3]
        r4, r5, r6, r7 = r4 + a[i + 4], r5 + a[i + 5], r6 + a[i + 6], r7 + a[i + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(end, lo + n):
        total += a[i]
    return total


@_jit
def _pairwise(a, n):
    """numpy's sum of a[:n] (np.add.reduce of a contiguous array), n >= 1, in the width of
    ``a``: halves split at multiples of 8 down to blocks of 128 (_block_sum).  Walked with a
    stack of halves, not by recursion (a recursive kernel crashed when loaded from numba's cache)."""
    los, sizes, stage = np.empty(64, np.int64), np.empty(64, np.int64), np.empty(64, np.int64)
    left = np.empty(64, a.dtype)
    top, los[0], sizes[0] = 0, 0, n
    while True:
        lo, size = los[top], sizes[top]
        half = size // 2 - size // 2 % 8
        if size > 128:             # open the left half
            stage[top] = 0
            top += 1
            los[top], sizes[top] = lo, half
            continue
        total = _block_sum(a, lo, size)
        while top > 0:              # hand the sum up: a left half waits for its right half
            top -= 1
            if stage[top] == 0:
                left[top], stage[top] = total, 1
                half = sizes[top] // 2 - sizes[top] // 2 % 8
                los[top + 1], sizes[top + 1] = los[top] + half, sizes[top] - half
                top += 1
                break
            total = left[top] + total
        else:
            return total


@_jit
def _mean32(a, n):
    """numpy's mean of a float32 a[:n] (n >= 1): the float32 sum, divided in float64, rounded to float32."""
    return float(np.float32(float(_pairwise(a, n)) / n))


@_jit
def report(satisfaction, active, status, promoter, detractor, buffer, code, offering, reality, speaking, morale):
    """What the reporters of metrics read, with the same float widths and sums as numpy's:
    of the active customers, the mean share climbed of each step between the satisfaction
    levels (loyalty.mean_yearly_stay), the mean satisfaction, promoters and detractors
    (loyalty.satisfaction_nps); the people with this firm's status 0 (prospects) and 2
    (lost), whatever a rival has (``status & 3``); the leaders' knowledge, the offering's
    fit, the share of staff speaking up and their mean morale.  ``buffer`` (float32, (5,
    n)) receives the satisfaction of the active customers in its first row."""
    f32 = np.float32
    promoter32, detractor32 = f32(promoter), f32(detractor)
    count = len(active)
    promoters = detractors = prospects = lost = 0
    for c in range(count):
        s = satisfaction[active[c]]
        buffer[0, c] = s
        promoters += s > promoter32
        detractors += s < detractor32
        position = (s + f32(1.0)) * f32(2.0)
        for k in range(4):
            buffer[k + 1, c] = min(max(position - f32(k), f32(0.0)), f32(1.0))
    for i in range(len(status)):
        own = status[i] & 3
        prospects += own == 0
        lost += own == 2
    known = fit = voice = 0
    for d in range(len(code)):
        known += code[d] * reality[d]
        fit += offering[d] * reality[d]
    for j in range(len(speaking)):
        voice += speaking[j]
    staff = (known / len(code), fit / len(code), voice / len(speaking), _pairwise(morale, len(morale)) / len(morale))
    if count == 0:
        return (0.0, 0.0, 0.0, 0.0), 0.0, 0, 0, prospects, lost, staff
    return (_mean32(buffer[1], count), _mean32(buffer[2], count), _mean32(buffer[3], count),
            _mean32(buffer[4], count)), _mean32(buffer[0], count), promoters, detractors, prospects, lost, staff
