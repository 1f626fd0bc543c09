"""The help centre's topics. Searching for them (e.g. 长辈版, 关怀版) finds the right help."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class HelpTopic:
    slug: str
    title: Promise
    body: Promise
    keywords: tuple[str, ...] = field(default_factory=tuple)


TOPICS: tuple[HelpTopic, ...] = (
    HelpTopic(
        "elder-mode",
        _("Elder mode: larger text and buttons"),
        _(
            "Elder mode (长辈版 / 关怀版) shows larger text, larger buttons and simpler pages without "
            "promotions, and adds a button that reads the page aloud. Switch it on or off with the "
            "“Elder mode” button at the top of every page; we remember your choice."
        ),
        ("长辈", "长辈版", "长辈模式", "关怀", "关怀版", "老人", "大字", "字体", "elder", "large text", "senior"),
    ),
    HelpTopic(
        "account",
        _("Creating an account and signing in"),
        _(
            "You can sign up with an e-mail address or a mainland China mobile number. You can also "
            "buy as a guest without an account. Forgot your password? Use “Forgot password” on the "
            "sign-in page and we will e-mail you a link."
        ),
        ("注册", "登录", "账号", "密码", "sign up", "sign in", "account", "password"),
    ),
    HelpTopic(
        "language",
        _("Changing the language"),
        _("Use the language switch at the top of every page to read the shop in Chinese or English."),
        ("语言", "英文", "中文", "language", "english", "chinese"),
    ),
    HelpTopic(
        "keyboard",
        _("Using the shop with a keyboard or a screen reader"),
        _(
            "Press Tab to move between links and buttons; the first Tab offers “Skip to main content”. "
            "Every image has a text description and every form field a label."
        ),
        ("键盘", "读屏", "无障碍", "keyboard", "screen reader", "accessibility"),
    ),
    HelpTopic(
        "contact",
        _("Contacting customer service"),
        _("Write to service@zizhu.local; we answer every day from 9:00 to 21:00 (Beijing time)."),
        ("客服", "联系", "电话", "contact", "service", "help"),
    ),
)


def search_topics(query: str) -> list[HelpTopic]:
    """Topics whose title, text or keywords contain the query (case-insensitive)."""
    needle = query.strip().casefold()
    if not needle:
        return []
    found = []
    for topic in TOPICS:
        haystack = " ".join([str(topic.title), str(topic.body), *topic.keywords]).casefold()
        if needle in haystack or any(k.casefold() in needle for k in topic.keywords):
            found.append(topic)
    return found
