"""Working-time violations in words: the rule's name and "by how much", in the reader's language."""

from __future__ import annotations

from shared.domain.compliance import RuleCode
from shared.errors import N_
from shared.i18n import Translator
from shared.texts import DAYS, count

RULE_LABELS = {
    RuleCode.DAILY_REST: N_("daily rest too short"),
    RuleCode.DAILY_HOURS: N_("too many hours in a day"),
    RuleCode.BREAK: N_("no break"),
    RuleCode.NIGHT_WORK: N_("night shift too long"),
    RuleCode.CONSECUTIVE_DAYS: N_("too many days in a row"),
    RuleCode.WEEKLY_AVERAGE: N_("weekly average above the limit"),
}


def rule_label(t: Translator, rule: RuleCode | str) -> str:
    return t.gettext(RULE_LABELS[RuleCode(rule)])


def excess_text(t: Translator, rule: RuleCode | str, excess: int) -> str:
    """By how much the rule was broken: "2 days too many", "1 h 20 min of rest missing", "0 h 40 min over"."""
    code = RuleCode(rule)
    if code is RuleCode.CONSECUTIVE_DAYS:
        return t("{days} too many", days=count(t, DAYS, excess))
    duration = t.format_duration_minutes(excess)
    if code is RuleCode.DAILY_REST:
        return t("{duration} of rest missing", duration=duration)
    if code is RuleCode.WEEKLY_AVERAGE:
        return t("{duration} a week over the limit", duration=duration)
    return t("{duration} over the limit", duration=duration)
