"""The configurator's rules, evaluated in memory on a product loaded with
``selectors.product_detail_queryset()`` (option groups, options and rules prefetched).

Two uses, one set of rules:

* ``evaluate(product, selection)`` — for the live page: every option with whether it can
  be chosen next to the current choices and, if not, why (the rule's own message);
  the running price; what is still missing.
* ``validate(product, raw_options)`` — for the service: a complete configuration or an
  ``InvalidInput`` that names the problem (unknown group or option, a missing required
  group, or the broken rule).

Rule meaning (see ``models.Rule``): *A requires B* — choosing A needs B; several
*requires* rules of A whose targets share a group mean "A needs one of them".
*A excludes B* — A and B never together (both directions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zizhu.catalog.models import Option, OptionGroup, Product, Rule
from zizhu.core.errors import InvalidInput
from zizhu.core.money import Money

MAX_CODE_LENGTH = 40


@dataclass
class OptionState:
    option: Option
    selected: bool
    available: bool
    reason: str = ""
    price_delta: Money | None = None


@dataclass
class GroupState:
    group: OptionGroup
    options: list[OptionState]
    selected: Option | None
    missing: bool


@dataclass
class Evaluation:
    groups: list[GroupState]
    price: Money
    problems: list[str] = field(default_factory=list)
    selection: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.problems


class _Model:
    """Look-ups over the prefetched groups, options and rules of one product."""

    def __init__(self, product: Product):
        self.product = product
        self.groups: list[OptionGroup] = list(product.option_groups.all())
        self.group_by_code = {g.code: g for g in self.groups}
        self.options_by_group: dict[int, list[Option]] = {g.pk: list(g.options.all()) for g in self.groups}
        self.option_by_id = {o.pk: o for options in self.options_by_group.values() for o in options}
        self.rules: list[Rule] = [
            r for r in product.rules.all() if r.option_id in self.option_by_id and r.target_id in self.option_by_id
        ]

    def option_in(self, group: OptionGroup, code: str) -> Option | None:
        return next((o for o in self.options_by_group[group.pk] if o.code == code), None)

    def default_selection(self) -> dict[int, Option]:
        chosen: dict[int, Option] = {}
        for group in self.groups:
            options = self.options_by_group[group.pk]
            default = next((o for o in options if o.is_default), None)
            if default is None and group.required and options:
                default = options[0]
            if default is not None:
                chosen[group.pk] = default
        return chosen

    def conflict(self, candidate: Option, chosen: Mapping[int, Option]) -> Rule | None:
        """The first rule broken if ``candidate`` joins ``chosen`` (other groups' choices)."""
        others = {gid: o for gid, o in chosen.items() if gid != candidate.group_id}
        chosen_ids = {o.pk for o in others.values()}
        for rule in self.rules:
            if rule.kind == Rule.Kind.EXCLUDES and (
                (rule.option_id == candidate.pk and rule.target_id in chosen_ids)
                or (rule.target_id == candidate.pk and rule.option_id in chosen_ids)
            ):
                return rule
        # candidate requires something another group's choice does not give
        broken = self._unmet_requirement(candidate, others)
        if broken is not None:
            return broken
        # another choice requires something in candidate's group that candidate is not
        for other in others.values():
            rules = [
                r
                for r in self.rules
                if r.kind == Rule.Kind.REQUIRES
                and r.option_id == other.pk
                and self.option_by_id[r.target_id].group_id == candidate.group_id
            ]
            if rules and candidate.pk not in {r.target_id for r in rules}:
                return rules[0]
        return None

    def _unmet_requirement(self, option: Option, chosen: Mapping[int, Option]) -> Rule | None:
        by_group: dict[int, list[Rule]] = {}
        for rule in self.rules:
            if rule.kind == Rule.Kind.REQUIRES and rule.option_id == option.pk:
                by_group.setdefault(self.option_by_id[rule.target_id].group_id, []).append(rule)
        for group_id, rules in by_group.items():
            picked = chosen.get(group_id)
            if picked is not None and picked.pk not in {r.target_id for r in rules}:
                return rules[0]
            if picked is None and group_id != option.group_id:
                return rules[0]
        return None

    def price(self, chosen: Mapping[int, Option]) -> Money:
        total = self.product.base_price
        for option in chosen.values():
            total = total + Money.of(option.price_delta, self.product.currency)
        return total


def rule_message(rule: Rule) -> str:
    return rule.message or _("This choice does not go with another one you made.")


def _parse(model: _Model, raw: Mapping[str, Any], *, strict: bool) -> tuple[dict[int, Option], dict[str, list[str]]]:
    """Group code → option code into group id → Option. Strict: every problem is an error."""
    chosen: dict[int, Option] = {}
    errors: dict[str, list[str]] = {}
    for raw_group, raw_option in raw.items():
        group_code = str(raw_group)[:MAX_CODE_LENGTH]
        group = model.group_by_code.get(group_code)
        if group is None:
            errors.setdefault(f"options.{group_code}", []).append(
                _("This product has no choice called “%(group)s”.") % {"group": group_code}
            )
            continue
        if raw_option in (None, ""):
            continue
        option_code = str(raw_option)[:MAX_CODE_LENGTH] if isinstance(raw_option, (str, int)) else ""
        option = model.option_in(group, option_code)
        if option is None:
            errors.setdefault(f"options.{group.code}", []).append(
                _("“%(option)s” is not one of the choices for %(group)s.")
                % {"option": option_code, "group": group.name}
            )
            continue
        chosen[group.pk] = option
    if not strict:
        return chosen, {}
    return chosen, errors


def evaluate(product: Product, raw_selection: Mapping[str, Any] | None = None) -> Evaluation:
    """The configurator's state for the page, starting from the defaults."""
    model = _Model(product)
    chosen = model.default_selection()
    if raw_selection:
        picked, _errors = _parse(model, raw_selection, strict=False)
        chosen.update(picked)
    problems: list[str] = []
    groups: list[GroupState] = []
    for group in model.groups:
        current = chosen.get(group.pk)
        states = []
        for option in model.options_by_group[group.pk]:
            rule = model.conflict(option, chosen)
            states.append(
                OptionState(
                    option=option,
                    selected=current is not None and current.pk == option.pk,
                    available=rule is None,
                    reason=rule_message(rule) if rule is not None else "",
                    price_delta=Money.of(option.price_delta, product.currency),
                )
            )
        missing = group.required and current is None
        if missing:
            problems.append(_("Choose the %(group)s.") % {"group": group.name})
        groups.append(GroupState(group=group, options=states, selected=current, missing=missing))
    for state in groups:
        for option_state in state.options:
            if option_state.selected and not option_state.available and option_state.reason not in problems:
                problems.append(option_state.reason)
    selection = {g.group.code: g.selected.code for g in groups if g.selected is not None}
    return Evaluation(groups=groups, price=model.price(chosen), problems=problems, selection=selection)


@dataclass(frozen=True)
class ValidConfiguration:
    options: dict[str, str]
    signature: str
    price: Money


def validate(product: Product, raw_options: Mapping[str, Any]) -> ValidConfiguration:
    """A complete, rule-abiding configuration, or ``InvalidInput`` saying what is wrong."""
    if not product.is_configurable:
        raise InvalidInput(_("This product is not built to order."), code="not_configurable")
    if not isinstance(raw_options, Mapping):
        raise InvalidInput(_("Send the options as an object of choice → option."), fields={"options": ["invalid"]})
    model = _Model(product)
    chosen, errors = _parse(model, raw_options, strict=True)
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, fields=errors, code="unknown_option")
    for group in model.groups:
        if group.required and group.pk not in chosen:
            message = _("Choose the %(group)s.") % {"group": group.name}
            raise InvalidInput(message, fields={f"options.{group.code}": [message]}, code="option_required")
    for group in model.groups:
        option = chosen.get(group.pk)
        if option is None:
            continue
        rule = model.conflict(option, chosen)
        if rule is not None:
            message = rule_message(rule)
            fields = {f"options.{group.code}": [message]}
            raise InvalidInput(message, fields=fields, code=f"rule_{rule.kind}")
    options = {g.code: chosen[g.pk].code for g in model.groups if g.pk in chosen}
    signature = ";".join(f"{k}={v}" for k, v in sorted(options.items()))
    return ValidConfiguration(options=options, signature=signature, price=model.price(chosen))
