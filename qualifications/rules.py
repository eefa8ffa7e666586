"""Every rule of combination, completion and grading for a qualification, in one place.

Pure functions over plain facts, with no database: the loader asks which units are mandatory
and whether the rules can be met at all, the unit chooser asks why a unit may not be added or
removed, and progress pages ask how far a learner has got, whether they have finished and
with what grade. Messages are sentences for learners, naming units by reference and groups by
the names in the specification.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from qualifications.models import Grade, Level, level_at_or_above

if TYPE_CHECKING:
    from qualifications.spec import GroupSpec, QualificationSpec


@dataclass(frozen=True)
class UnitFacts:
    """What the rules need to know about one unit of the qualification."""

    reference: str
    title: str
    credits: int
    level: str

    def __post_init__(self) -> None:
        # A unit whose specification gives no credit value counts for nothing towards totals.
        if self.credits is None:
            object.__setattr__(self, "credits", 0)


@dataclass(frozen=True)
class Group:
    """A group of units in the rules of combination; its limits count its subgroups' units."""

    name: str
    units: tuple[str, ...]
    groups: tuple[Group, ...] = ()
    min_credits: int | None = None
    max_credits: int | None = None
    min_units: int | None = None
    max_units: int | None = None

    def all_units(self) -> tuple[str, ...]:
        """Its own units, then those of its subgroups, depth first."""
        return self.units + tuple(ref for child in self.groups for ref in child.all_units())

    def walk(self) -> Iterator[Group]:
        """This group and every group nested in it, parents first."""
        yield self
        for child in self.groups:
            yield from child.walk()


@dataclass(frozen=True)
class Rules:
    """A qualification's rules of combination. With no groups and no overall minimum every
    unit is required, which is how qualifications without stated rules have always worked."""

    units: dict[str, UnitFacts]
    groups: tuple[Group, ...] = ()
    min_credits: int | None = None
    level_rule: tuple[str, int] | None = None
    barred: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # The search relies on each unit sitting in at most one group.
        placed: set[str] = set()
        names: set[str] = set()
        for group in self.all_groups():
            if group.name in names:
                raise ValueError(f"two groups are named {group.name}")
            names.add(group.name)
            for ref in group.units:
                if ref not in self.units:
                    raise ValueError(f"group {group.name} names unknown unit {ref}")
                if ref in placed:
                    raise ValueError(f"unit {ref} is in more than one group")
                placed.add(ref)
        for pair in self.barred:
            for ref in pair:
                if ref not in self.units:
                    raise ValueError(f"barred pair names unknown unit {ref}")

    @property
    def every_unit_required(self) -> bool:
        return not self.groups and self.min_credits is None

    def all_groups(self) -> list[Group]:
        return [group for top in self.groups for group in top.walk()]

    def ungrouped_units(self) -> tuple[str, ...]:
        """Units in no group: free choices that count only towards the overall totals."""
        grouped = {ref for top in self.groups for ref in top.all_units()}
        return tuple(ref for ref in self.units if ref not in grouped)

    def credits_of(self, reference: str) -> int:
        facts = self.units.get(reference)
        return facts.credits if facts else 0

    def counts_for_level(self, reference: str) -> bool:
        facts = self.units.get(reference)
        return bool(
            self.level_rule and facts and level_at_or_above(facts.level, self.level_rule[0])
        )

    @classmethod
    def from_spec(cls, spec: QualificationSpec, units: dict[str, UnitFacts]) -> Rules:
        """Rules from a fixture's specification; references match units case-insensitively."""
        by_lower = {ref.lower(): ref for ref in units}

        def resolve(reference: str) -> str:
            if reference.lower() not in by_lower:
                raise ValueError(f"the rules name unit {reference}, which is not given")
            return by_lower[reference.lower()]

        def group(spec_group: GroupSpec) -> Group:
            return Group(
                name=spec_group.name,
                units=tuple(resolve(ref) for ref in spec_group.units),
                groups=tuple(group(child) for child in spec_group.groups),
                min_credits=spec_group.min_credits,
                max_credits=spec_group.max_credits,
                min_units=spec_group.min_units,
                max_units=spec_group.max_units,
            )

        rules = spec.rules
        if rules is None:
            return cls(units=dict(units))
        level = rules.min_credits_at_or_above_level
        return cls(
            units=dict(units),
            groups=tuple(group(top) for top in rules.groups),
            min_credits=rules.min_credits,
            level_rule=(level.level, level.credits) if level else None,
            barred=tuple((resolve(first), resolve(second)) for first, second in rules.barred),
        )


# ---------------------------------------------------------------------------------------------
# Words


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _noun(count: int, noun: str) -> str:
    return noun if count == 1 else f"{noun}s"


def _group_label(name: str) -> str:
    return name if name.lower().startswith("group") else f"group {name}"


def group_label(name: str) -> str:
    """How a sentence names a group: "group C", or the name itself when it says "group"."""
    return _group_label(name)


def _level_label(level: str) -> str:
    return f"{Level(level).label} or above"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _range(low: int | None, high: int | None, noun: str) -> str:
    """E.g. "at least 10 credits", "at most 8 credits", "1 to 2 units", "exactly 2 units"."""
    if low is not None and high is not None:
        if low == high:
            return f"exactly {_plural(low, noun)}"
        return f"{low} to {high} {_noun(high, noun)}"
    if low is not None:
        return f"at least {_plural(low, noun)}"
    return f"at most {_plural(high or 0, noun)}"


def limits_in_words(
    *,
    min_credits: int | None,
    max_credits: int | None,
    min_units: int | None,
    max_units: int | None,
    unit_count: int,
) -> list[str]:
    """A group's limits as a specification states them: "at least 10 credits", "at most 8
    credits", "all 3 units". `unit_count` counts its subgroups' units too; empty when the
    group sets no limit of its own."""
    found = []
    if min_credits is not None or max_credits is not None:
        found.append(_range(min_credits, max_credits, "credit"))
    if min_units is not None and min_units == unit_count and max_units in (None, unit_count):
        found.append("its only unit" if unit_count == 1 else f"all {unit_count} units")
    elif min_units is not None or max_units is not None:
        found.append(_range(min_units, max_units, "unit"))
    return found


def level_rule_in_words(level: str, credits: int) -> str:
    """E.g. "at least 16 credits at Level 3 or above"."""
    return f"at least {_plural(credits, 'credit')} at {_level_label(level)}"


# ---------------------------------------------------------------------------------------------
# The minimum requirements, each with a key so a search can leave some out when explaining.


@dataclass(frozen=True)
class _Minimum:
    key: tuple[str, str]
    limit: int
    text: str


def _minimums(rules: Rules) -> list[_Minimum]:
    found = []
    if rules.min_credits is not None:
        limit = rules.min_credits
        text = f"the qualification needs at least {_plural(limit, 'credit')}"
        found.append(_Minimum(("credits", ""), limit, text))
    if rules.level_rule is not None:
        level, limit = rules.level_rule
        text = (
            f"the qualification needs at least {_plural(limit, 'credit')} at {_level_label(level)}"
        )
        found.append(_Minimum(("level", ""), limit, text))
    for group in rules.all_groups():
        label = _group_label(group.name)
        if group.min_credits is not None:
            limit = group.min_credits
            text = f"{label} needs at least {_plural(limit, 'credit')}"
            found.append(_Minimum(("credits", group.name), limit, text))
        if group.min_units is not None:
            limit = group.min_units
            text = f"{label} needs at least {_plural(limit, 'unit')}"
            found.append(_Minimum(("units", group.name), limit, text))
    return found


# ---------------------------------------------------------------------------------------------
# Feasibility: a dynamic programme over the group tree.
#
# A state is (credits, units) counted inside a group, mapped to the most credits at or above
# the level rule's level reachable with it; the level rule only ever asks for more, so the most
# is all that matters. Counts are capped at the largest threshold that matters to the group or
# its ancestors, and states above any ancestor's maximum are dropped at once because counts only
# grow. Where nothing above caps a count, more is never worse, and dominated states are pruned.

_States = dict[tuple[int, int], int]


@dataclass(frozen=True)
class _Context:
    """What the group and its ancestors ask of the counts made inside it."""

    cap_credits: int = 0
    bound_credits: float = math.inf
    cap_units: int = 0
    bound_units: float = math.inf

    def inside(self, group: Group) -> _Context:
        return _Context(
            cap_credits=max(
                self.cap_credits,
                group.min_credits or 0,
                group.max_credits + 1 if group.max_credits is not None else 0,
            ),
            bound_credits=min(self.bound_credits, _or_inf(group.max_credits)),
            cap_units=max(
                self.cap_units,
                group.min_units or 0,
                group.max_units + 1 if group.max_units is not None else 0,
            ),
            bound_units=min(self.bound_units, _or_inf(group.max_units)),
        )


def _or_inf(limit: int | None) -> float:
    return math.inf if limit is None else limit


class _Search:
    """One feasibility question: which units must be in, which out, which level rule applies."""

    def __init__(
        self,
        rules: Rules,
        include: frozenset[str],
        exclude: frozenset[str],
        level_cap: int,
    ) -> None:
        self.rules = rules
        self.include = include
        self.exclude = exclude
        self.level_cap = level_cap

    def states(self, group: Group, outer: _Context) -> _States:
        """The reachable states of this group, within its limits, as its parent counts them."""
        context = outer.inside(group)
        states: _States = {(0, 0): 0}
        for ref in group.units:
            states = self._with_unit(states, ref, context)
            if not states:
                return {}
        for child in group.groups:
            states = self._merge(states, self.states(child, context), context)
            if not states:
                return {}
        within: _States = {}
        for (credits, units), level in states.items():
            if _within(group, credits, units):
                key = (min(credits, outer.cap_credits), min(units, outer.cap_units))
                within[key] = max(level, within.get(key, -1))
        return _prune(within, outer)

    def _with_unit(self, states: _States, ref: str, context: _Context) -> _States:
        credits = self.rules.credits_of(ref)
        at_level = credits if self.rules.counts_for_level(ref) else 0
        found: _States = {} if ref in self.include else dict(states)
        if ref in self.exclude:
            return found
        for (have, count), level in states.items():
            if have + credits > context.bound_credits or count + 1 > context.bound_units:
                continue
            key = (min(have + credits, context.cap_credits), min(count + 1, context.cap_units))
            reached = min(level + at_level, self.level_cap)
            if found.get(key, -1) < reached:
                found[key] = reached
        return _prune(found, context)

    def _merge(self, states: _States, child: _States, context: _Context) -> _States:
        found: _States = {}
        for (have, count), level in states.items():
            for (more, extra), child_level in child.items():
                if have + more > context.bound_credits or count + extra > context.bound_units:
                    continue
                key = (min(have + more, context.cap_credits), min(count + extra, context.cap_units))
                reached = min(level + child_level, self.level_cap)
                if found.get(key, -1) < reached:
                    found[key] = reached
        return _prune(found, context)


def _within(group: Group, credits: int, units: int) -> bool:
    return (
        credits >= (group.min_credits or 0)
        and credits <= _or_inf(group.max_credits)
        and units >= (group.min_units or 0)
        and units <= _or_inf(group.max_units)
    )


def _prune(states: _States, context: _Context) -> _States:
    """Drop states another beats on every count that has no maximum above it."""
    credits_up = context.bound_credits == math.inf
    units_up = context.bound_units == math.inf
    if len(states) < 2 or not (credits_up or units_up):
        return states
    buckets: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for (credits, units), level in states.items():
        exact = (0 if credits_up else credits, 0 if units_up else units)
        buckets.setdefault(exact, []).append((credits, units, level))
    kept: _States = {}
    for points in buckets.values():
        points.sort(reverse=True)
        front: list[tuple[int, int, int]] = []
        for credits, units, level in points:
            if not any(u >= units and lv >= level for _, u, lv in front):
                front.append((credits, units, level))
                kept[(credits, units)] = level
    return kept


def _root(rules: Rules, keep: set[tuple[str, str]] | None = None) -> Group:
    """The whole qualification as one group, leaving out minimums not in `keep`."""

    def strip(group: Group) -> Group:
        return replace(
            group,
            groups=tuple(strip(child) for child in group.groups),
            min_credits=group.min_credits if _kept(keep, ("credits", group.name)) else None,
            min_units=group.min_units if _kept(keep, ("units", group.name)) else None,
        )

    return Group(
        name="",
        units=rules.ungrouped_units(),
        groups=tuple(strip(top) for top in rules.groups),
        min_credits=rules.min_credits if _kept(keep, ("credits", "")) else None,
    )


def _kept(keep: set[tuple[str, str]] | None, key: tuple[str, str]) -> bool:
    return keep is None or key in keep


def _tree_feasible(
    rules: Rules,
    include: frozenset[str],
    exclude: frozenset[str],
    keep: set[tuple[str, str]] | None,
) -> bool:
    level_needed = rules.level_rule[1] if rules.level_rule and _kept(keep, ("level", "")) else 0
    search = _Search(rules, include, exclude, level_needed)
    states = search.states(_root(rules, keep), _Context())
    return any(level >= level_needed for level in states.values())


def _search_feasible(
    rules: Rules,
    include: frozenset[str],
    exclude: frozenset[str],
    keep: set[tuple[str, str]] | None = None,
) -> bool:
    """Settle each barred pair by branching (first out, or first in and second out)."""
    if include & exclude or not include <= rules.units.keys():
        return False
    for first, second in rules.barred:
        if first in exclude or second in exclude:
            continue
        if first in include and second in include:
            return False
        if first in include:
            return _search_feasible(rules, include, exclude | {second}, keep)
        if second in include:
            return _search_feasible(rules, include, exclude | {first}, keep)
        return _search_feasible(rules, include, exclude | {first}, keep) or _search_feasible(
            rules, include | {first}, exclude | {second}, keep
        )
    return _tree_feasible(rules, include, exclude, keep)


def _required(rules: Rules, include: Iterable[str]) -> frozenset[str]:
    return frozenset(include) | (frozenset(rules.units) if rules.every_unit_required else set())


def feasible(
    rules: Rules,
    *,
    include: Iterable[str] = frozenset(),
    exclude: Iterable[str] = frozenset(),
) -> bool:
    """Whether some choice of units containing `include` and none of `exclude` meets every
    rule (never, if `include` names a unit the qualification does not have)."""
    return _search_feasible(rules, _required(rules, include), frozenset(exclude))


def satisfiable(rules: Rules) -> bool:
    """Whether any learner could meet these rules at all, so rules no one could meet can be
    refused when the catalogue is loaded."""
    return feasible(rules)


def mandatory_units(rules: Rules) -> set[str]:
    """Units in every valid choice: without them the rules cannot be met. When the rules cannot
    be met at all this is every unit (each is, vacuously, in every valid choice)."""
    if rules.every_unit_required or not satisfiable(rules):
        return set(rules.units)
    return {ref for ref in rules.units if not feasible(rules, exclude={ref})}


# ---------------------------------------------------------------------------------------------
# Counting a choice


@dataclass(frozen=True)
class _Count:
    credits: int
    units: int


def _count(rules: Rules, group: Group, selected: set[str]) -> _Count:
    refs = [ref for ref in group.all_units() if ref in selected]
    return _Count(sum(rules.credits_of(ref) for ref in refs), len(refs))


def _known(rules: Rules, selected: Iterable[str]) -> set[str]:
    return {ref for ref in selected if ref in rules.units}


def _total(rules: Rules, selected: set[str]) -> int:
    return sum(rules.credits_of(ref) for ref in _known(rules, selected))


def _level_total(rules: Rules, selected: set[str]) -> int:
    return sum(
        rules.credits_of(ref) for ref in _known(rules, selected) if rules.counts_for_level(ref)
    )


def _max_breaches(
    rules: Rules, groups: Iterable[Group], selected: set[str], verb: str
) -> list[str]:
    """Groups whose maximum `selected` goes over, e.g. "... at most 15 credits; this choice
    makes 18"; `verb` is "this choice makes" or "this would make"."""
    found = []
    for group in groups:
        count = _count(rules, group, selected)
        label = _group_label(group.name)
        if group.max_credits is not None and count.credits > group.max_credits:
            found.append(
                f"{label} allows at most {_plural(group.max_credits, 'credit')}; "
                f"{verb} {count.credits}"
            )
        if group.max_units is not None and count.units > group.max_units:
            found.append(
                f"{label} allows at most {_plural(group.max_units, 'unit')}; {verb} {count.units}"
            )
    return found


def _barred_breaches(rules: Rules, selected: set[str]) -> list[str]:
    return [
        f"{first} cannot be taken with {second}"
        for first, second in rules.barred
        if first in selected and second in selected
    ]


def _shortfalls(rules: Rules, selected: set[str], *, achieved: bool) -> list[str]:
    """Every minimum `selected` falls short of, e.g. "group B needs at least 10 credits; this
    choice has 6" (or "6 achieved so far" when `selected` is what is signed off)."""
    counts = {
        ("credits", ""): _total(rules, selected),
        ("level", ""): _level_total(rules, selected),
    }
    for group in rules.all_groups():
        count = _count(rules, group, selected)
        counts[("credits", group.name)] = count.credits
        counts[("units", group.name)] = count.units
    found = []
    for minimum in _minimums(rules):
        count = counts[minimum.key]
        if count < minimum.limit:
            tail = f"{count} achieved so far" if achieved else f"this choice has {count}"
            found.append(f"{minimum.text}; {tail}")
    if rules.every_unit_required:
        missing = [ref for ref in rules.units if ref not in selected]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            state = "not yet achieved" if achieved else "not chosen"
            found.append(f"every unit is required; {_join(missing)} {verb} {state}")
    return found


def choice_problems(rules: Rules, chosen: set[str]) -> list[str]:
    """Why a choice breaks a maximum or a barred pair: what no further choosing can mend."""
    return _max_breaches(rules, rules.all_groups(), chosen, "this choice makes") + _barred_breaches(
        rules, chosen
    )


# ---------------------------------------------------------------------------------------------
# Adding and removing units


def _path_to(groups: Iterable[Group], reference: str) -> list[Group]:
    """The groups holding `reference`, outermost first; empty for an ungrouped unit."""
    for group in groups:
        if reference in group.units:
            return [group]
        below = _path_to(group.groups, reference)
        if below:
            return [group, *below]
    return []


def _why_unfinishable(rules: Rules, include: frozenset[str]) -> str:
    """Which rules cannot be met once `include` is chosen, in words: those that cannot be met
    even on their own; failing that, those that clash with one another."""
    include = _required(rules, include)
    problems = choice_problems(rules, set(include))
    if problems or not _search_feasible(rules, include, frozenset(), keep=set()):
        return "; ".join(problems) or "the rules cannot all be met at once"
    minimums = _minimums(rules)
    alone = [
        minimum.text
        for minimum in minimums
        if not _search_feasible(rules, include, frozenset(), keep={minimum.key})
    ]
    if alone:
        return _join(alone)
    keys = {minimum.key for minimum in minimums}
    clashing = [
        minimum.text
        for minimum in minimums
        if _search_feasible(rules, include, frozenset(), keep=keys - {minimum.key})
    ]
    if len(clashing) >= 2:
        both = "both" if len(clashing) == 2 else "all"
        return f"{_join(clashing)}, and these cannot {both} be met at once"
    return "the rules cannot all be met at once"


def refusal(rules: Rules, chosen: set[str], adding: str) -> str | None:
    """Why `adding` may not join the choice, in a sentence for the learner; None if it may.

    The first reason found: a group maximum it would break, a barred partner already chosen,
    or else the rules it would leave unreachable."""
    if adding not in rules.units:
        return f"{adding} is not a unit of this qualification"
    if adding in chosen:
        return f"{adding} is already chosen"
    after = set(chosen) | {adding}
    # The innermost group first: its limit is the one the learner is choosing within.
    innermost_first = reversed(_path_to(rules.groups, adding))
    breaches = _max_breaches(rules, innermost_first, after, "this would make")
    if breaches:
        return breaches[0]
    for first, second in rules.barred:
        other = second if first == adding else first if second == adding else None
        if other is not None and other in chosen:
            return f"{adding} cannot be taken with {other}, which is already chosen"
    include = frozenset(_known(rules, after))
    if not feasible(rules, include=include):
        return (
            "with this unit no choice of the remaining units can meet the rules: "
            f"{_why_unfinishable(rules, include)}"
        )
    return None


def removal_refusal(rules: Rules, chosen: set[str], removing: str) -> str | None:
    """Why `removing` may not leave the choice; only a mandatory unit is refused, since taking
    a unit out never breaks a maximum or a barred pair."""
    if removing in rules.units and (
        rules.every_unit_required or not feasible(rules, exclude={removing})
    ):
        return f"{removing} is mandatory"
    return None


def optional_choices(
    rules: Rules, chosen: set[str], *, mandatory: set[str] | None = None
) -> list[tuple[str, str | None]]:
    """Each unit the learner could still choose, in qualification order, with the reason it is
    refused or None when it is open. Pass `mandatory` when it is already known (it is stored
    on QualificationUnit) to save working it out again."""
    required = mandatory_units(rules) if mandatory is None else mandatory
    return [
        (ref, refusal(rules, chosen, ref))
        for ref in rules.units
        if ref not in chosen and ref not in required
    ]


# ---------------------------------------------------------------------------------------------
# Progress against the rules


@dataclass
class GroupStatus:
    """One group's limits beside what the learner has chosen and what is signed off."""

    name: str
    depth: int
    min_credits: int | None
    max_credits: int | None
    min_units: int | None
    max_units: int | None
    chosen_credits: int
    chosen_units: int
    achieved_credits: int
    achieved_units: int
    met: bool
    complete: bool
    children: list[GroupStatus] = field(default_factory=list)

    @property
    def label(self) -> str:
        return _group_label(self.name)

    @property
    def summary(self) -> str:
        """E.g. "14 of at least 14 credits chosen, 6 achieved"."""
        parts = []
        if self.min_credits is not None or self.max_credits is not None:
            parts.append(
                _progress(
                    self.chosen_credits,
                    self.achieved_credits,
                    self.min_credits,
                    self.max_credits,
                    "credit",
                )
            )
        if self.min_units is not None or self.max_units is not None:
            parts.append(
                _progress(
                    self.chosen_units, self.achieved_units, self.min_units, self.max_units, "unit"
                )
            )
        if not parts:
            noun = _noun(self.chosen_credits, "credit")
            parts.append(f"{self.chosen_credits} {noun} chosen, {self.achieved_credits} achieved")
        return "; ".join(parts)


def _progress(chosen: int, achieved: int, low: int | None, high: int | None, noun: str) -> str:
    """E.g. "14 of at least 14 credits chosen, 6 achieved" or "2 of 1 to 3 units chosen, ..."."""
    if low is not None and high is not None:
        target = f"{low}" if low == high else f"{low} to {high}"
    elif low is not None:
        target = f"at least {low}"
    else:
        target = f"at most {high}"
    limit = high if high is not None else low
    return f"{chosen} of {target} {_noun(limit or 0, noun)} chosen, {achieved} achieved"


@dataclass
class RulesStatus:
    """A learner's choice and achievement against every rule; `problems` in plain words."""

    groups: list[GroupStatus]
    min_credits: int | None
    chosen_credits: int
    achieved_credits: int
    level_rule: tuple[str, int] | None
    chosen_level_credits: int
    achieved_level_credits: int
    barred_breaches: list[str]
    problems: list[str]
    achieved_problems: list[str]
    has_units: bool = True

    @property
    def satisfied(self) -> bool:
        """The chosen units meet every rule."""
        return not self.problems

    @property
    def achieved(self) -> bool:
        """The signed-off units meet every rule (never, for a qualification with no units)."""
        return self.has_units and not self.achieved_problems

    @property
    def level_rule_text(self) -> str:
        if self.level_rule is None:
            return ""
        return level_rule_in_words(*self.level_rule)


def _group_status(
    rules: Rules, group: Group, depth: int, chosen: set[str], achieved: set[str]
) -> GroupStatus:
    picked = _count(rules, group, chosen)
    done = _count(rules, group, achieved)
    return GroupStatus(
        name=group.name,
        depth=depth,
        min_credits=group.min_credits,
        max_credits=group.max_credits,
        min_units=group.min_units,
        max_units=group.max_units,
        chosen_credits=picked.credits,
        chosen_units=picked.units,
        achieved_credits=done.credits,
        achieved_units=done.units,
        met=_within(group, picked.credits, picked.units),
        complete=_within(
            replace(group, max_credits=None, max_units=None), done.credits, done.units
        ),
        children=[
            _group_status(rules, child, depth + 1, chosen, achieved) for child in group.groups
        ],
    )


def _problems(rules: Rules, selected: set[str], *, achieved: bool = False) -> list[str]:
    makes = "achieved units make" if achieved else "this choice makes"
    return (
        _shortfalls(rules, selected, achieved=achieved)
        + _max_breaches(rules, rules.all_groups(), selected, makes)
        + _barred_breaches(rules, selected)
    )


def rules_status(rules: Rules, chosen: set[str], achieved: set[str]) -> RulesStatus:
    """How a learner's chosen and signed-off units stand against every rule."""
    chosen, achieved = _known(rules, chosen), _known(rules, achieved)
    return RulesStatus(
        groups=[_group_status(rules, top, 0, chosen, achieved) for top in rules.groups],
        min_credits=rules.min_credits,
        chosen_credits=_total(rules, chosen),
        achieved_credits=_total(rules, achieved),
        level_rule=rules.level_rule,
        chosen_level_credits=_level_total(rules, chosen),
        achieved_level_credits=_level_total(rules, achieved),
        barred_breaches=_barred_breaches(rules, chosen),
        problems=_problems(rules, chosen),
        achieved_problems=_problems(rules, achieved, achieved=True),
        has_units=bool(rules.units),
    )


def is_complete(rules: Rules, chosen: set[str], signed_off: set[str]) -> bool:
    """Finished: every chosen unit is signed off and the choice meets every rule (every unit,
    when every unit is required). An empty qualification or an empty choice is never finished."""
    if not rules.units:
        return False
    taken = set(rules.units) if rules.every_unit_required else set(chosen)
    if not taken or not taken <= set(signed_off):
        return False
    return not _problems(rules, _known(rules, taken))


# ---------------------------------------------------------------------------------------------
# Grading and standards coverage

# The band each criterion counts towards; a criterion with no band is a pass criterion.
_BANDS = {
    "": Grade.PASS,
    "pass": Grade.PASS,
    "merit": Grade.MERIT,
    "distinction": Grade.DISTINCTION,
}


def unit_grade(criteria: Iterable[tuple[str, bool]]) -> str | None:
    """A graded unit's grade from its criteria (grade band, met?): pass when every pass
    criterion is met, merit when every merit one is too, distinction when all are. None for an
    ungraded unit or before pass. Criteria without a band in a graded unit count as pass."""
    by_band: dict[Grade, list[bool]] = {grade: [] for grade in Grade}
    graded = False
    for band, met in criteria:
        if band not in _BANDS:
            raise ValueError(f"unknown grade band {band!r}")
        graded = graded or band != ""
        by_band[_BANDS[band]].append(met)
    if not graded or not all(by_band[Grade.PASS]):
        return None
    grade = Grade.PASS
    if by_band[Grade.MERIT]:
        if not all(by_band[Grade.MERIT]):
            return grade
        grade = Grade.MERIT
    if by_band[Grade.DISTINCTION] and all(by_band[Grade.DISTINCTION]):
        grade = Grade.DISTINCTION
    return grade


def ksb_coverage(criteria: Iterable[tuple[str, bool]]) -> dict[str, tuple[int, int]]:
    """Knowledge, skills and behaviours met out of those listed, from (code, met?) pairs; only
    the letters present, in K, S, B order."""
    tally: dict[str, list[int]] = {letter: [0, 0] for letter in "KSB"}
    for code, met in criteria:
        letter = code[:1]
        if letter in tally:
            tally[letter][0] += bool(met)
            tally[letter][1] += 1
    return {letter: (met, total) for letter, (met, total) in tally.items() if total}
