"""What one person's weekly digest says: sections, subject, links, headers.

No queries here: `DigestPlan` holds everything a week's digest needs (loaded once by
app.digest.services), and `compose_digest` turns it into one Mail per person.

Everyone at a school with the same section choices gets the same email apart from their name,
address and signed links. So each such version is rendered once, with markers where the
personal parts go, and each person's email is that version with the markers filled in: a
string substitution instead of two template renders per person (25,000 people a week).
"""

from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from jinja2 import Template
from markupsafe import escape

from app.mail import Mail
from app.models import Answer, PostKind, Suggestion, User
from app.replies import links
from app.tokens import make_token
from app.urls import external_url

NEWS_TITLES = 5
DESCRIPTION_LENGTH = 300

ANSWER_WORDS = {
    Answer.INTERESTED: "Interested",
    Answer.NOT_NOW: "Not now",
    Answer.NOT_RELEVANT: "Not relevant",
}


# --- the week's content --------------------------------------------------------------------


@dataclass(frozen=True)
class NewPost:
    """A post shown under "Partnership news"."""

    title: str
    kind: PostKind
    school_id: int
    school_name: str

    @property
    def kind_word(self) -> str:
        return "offer" if self.kind == PostKind.OFFER else "request"


def _shorten(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


@dataclass(frozen=True, slots=True)
class SuggestionView:
    """A suggestion as one school sees it: the same for everyone at that school."""

    suggestion: Suggestion
    side: str  # "offer": where you could help; "request": who could help you
    school: str
    town: str
    title: str
    description: str
    my_title: str
    reasons: list[str]
    note: str
    answered: str  # the school's answer so far ("Interested"...), or ""
    labels: dict[Answer, str]

    @classmethod
    def of(cls, suggestion: Suggestion, side: str) -> SuggestionView:
        mine, theirs = (
            (suggestion.offer, suggestion.request)
            if side == "offer"
            else (suggestion.request, suggestion.offer)
        )
        answer = suggestion.offer_answer if side == "offer" else suggestion.request_answer
        school, title = theirs.school.name, theirs.title
        help_words = f"helping {school}" if side == "offer" else f"help from {school}"
        return cls(
            suggestion=suggestion,
            side=side,
            school=school,
            town=theirs.school.town,
            title=title,
            description=_shorten(theirs.description or ""),
            my_title=mine.title,
            reasons=suggestion.reasons_for(side),
            note=suggestion.note,
            answered=ANSWER_WORDS[answer] if answer is not None else "",
            # Link text that says where it leads, even read out of context.
            labels={
                Answer.INTERESTED: f"Interested in {help_words} with “{title}”",
                Answer.NOT_NOW: f"Not now: {help_words} with “{title}”",
                Answer.NOT_RELEVANT: f"Not relevant: {help_words} with “{title}”",
            },
        )


@dataclass(frozen=True, slots=True)
class ReplyLink:
    word: str  # "Interested"
    label: str  # "Interested in helping Fenside Primary with “Phonics”"
    url: str


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One suggestion in an email: the school's view and the reader's answer links."""

    view: SuggestionView
    replies: list[ReplyLink]


@dataclass(frozen=True, slots=True)
class GapLine:
    """The partnership's biggest gap this term, asking givers to help (app.dashboard)."""

    text: str
    url: str  # where to post an offer
    # The schools that asked: the question is not for them.
    asking_school_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class News:
    """ "Partnership news" as one school sees it."""

    count: int
    count_text: str
    posts: list[NewPost]
    more: int
    thanks: str
    browse_url: str


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 school', '2 schools'."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def and_join(names: Iterable[str]) -> str:
    """'Fenside', 'Fenside and Marshside', 'Fenside, Marshside and Wold View'."""
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def week_label(week_start: date) -> str:
    return f"{week_start.day} {week_start:%B %Y}"


def subject_for(partnership: str, can_help: int, could_help_you: int, news: int) -> str:
    """'Your GiveFirst Partnership week: 2 schools you could help, 1 that could help you'."""
    parts = []
    if can_help:
        parts.append(plural(can_help, "school") + " you could help")
    if could_help_you:
        who = str(could_help_you) if can_help else plural(could_help_you, "school")
        parts.append(f"{who} that could help you")
    if not parts and news:
        parts.append(plural(news, "new offer or request", "new offers and requests"))
    return f"Your {partnership} week: " + ", ".join(parts)


# --- templates and links -------------------------------------------------------------------


@dataclass
class DigestTemplates:
    """The compiled digest templates, loaded once per run rather than once per email."""

    text: Template
    html: Template

    @classmethod
    def load(cls) -> DigestTemplates:
        env = current_app.jinja_env
        return cls(
            text=env.get_template("email/digest.txt"), html=env.get_template("email/digest.html")
        )


class DigestLinks:
    """The signed links of app.replies.links, with each endpoint's address worked out once.

    external_url builds a throwaway request per call (~80 µs); a digest needs a dozen links
    per email. The tokens are the same as links.reply_urls / unsubscribe_url / preferences_url
    make (tests/test_digest.py checks the URLs are identical); only the address around each
    token is reused.
    """

    PLACEHOLDER = "TOKEN-PLACEHOLDER"

    def __init__(self) -> None:
        self._addresses: dict[str, str] = {}

    def _url(self, endpoint: str, token: str) -> str:
        address = self._addresses.get(endpoint)
        if address is None:
            address = external_url(endpoint, token=self.PLACEHOLDER)
            self._addresses[endpoint] = address
        return address.replace(self.PLACEHOLDER, token)

    def reply_urls(self, suggestion: Suggestion, user: User) -> dict[Answer, str]:
        """Interested / Not now / Not relevant, as links.reply_urls(suggestion, user)."""
        return {
            answer: self._url("replies.answer", links.reply_token(suggestion, user, answer))
            for answer in Answer
        }

    def unsubscribe_url(self, user: User) -> str:
        return self._url("replies.unsubscribe", make_token(links.UNSUBSCRIBE, {"u": user.id}))

    def preferences_url(self, user: User) -> str:
        return self._url("replies.preferences", make_token(links.PREFERENCES, {"u": user.id}))


# --- one version per school and choice of sections -----------------------------------------


@dataclass(frozen=True)
class _Reader:
    """Stands in for the person while a school's version is rendered."""

    name: str
    email: str


@dataclass(frozen=True)
class SchoolVersion:
    """A school's email for one choice of sections, with markers for the personal parts."""

    subject: str
    text: str
    html: str
    # The suggestions whose answer links need this reader's tokens.
    needs_links: tuple[Suggestion, ...]


@dataclass
class DigestPlan:
    """A week's digest: its suggestions by school, and the partnership's news."""

    week_start: date
    suggestions: Sequence[Suggestion]
    new_posts: Sequence[NewPost] = ()
    # Schools whose offers became partnerships during the week, by name.
    givers: Sequence[str] = ()
    # Where "Partnership news" sends people to see every open post.
    browse_url: str = ""
    # One line for givers about the term's biggest gap, worked out once per run.
    gap: GapLine | None = None
    by_offer_school: dict[int, list[Suggestion]] = field(init=False)
    by_request_school: dict[int, list[Suggestion]] = field(init=False)
    _posts_by_school: Counter[int] = field(init=False)
    # Worked out once per school, not once per person.
    _views: dict[tuple[int, str], list[SuggestionView]] = field(init=False, default_factory=dict)
    _news: dict[int, News | None] = field(init=False, default_factory=dict)
    _versions: dict[tuple[int, bool, bool, bool], SchoolVersion | None] = field(
        init=False, default_factory=dict
    )
    # Markers carry a random part: text people typed can never imitate one.
    _marker_prefix: str = field(init=False)
    _marker_re: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_offer_school = defaultdict(list)
        self.by_request_school = defaultdict(list)
        for s in sorted(self.suggestions, key=lambda s: (-s.score, s.id)):
            if s.offer.school_id == s.request.school_id:
                continue  # a school can't be suggested to itself
            self.by_offer_school[s.offer.school_id].append(s)
            self.by_request_school[s.request.school_id].append(s)
        self._posts_by_school = Counter(p.school_id for p in self.new_posts)
        self._marker_prefix = f"[[{secrets.token_hex(8)}:"
        self._marker_re = re.compile(re.escape(self._marker_prefix) + r"([a-z0-9_]+)\]\]")

    def views(self, school_id: int, side: str) -> list[SuggestionView]:
        """The school's suggestions on one side, best first."""
        key = (school_id, side)
        if key not in self._views:
            by_school = self.by_offer_school if side == "offer" else self.by_request_school
            self._views[key] = [SuggestionView.of(s, side) for s in by_school.get(school_id, [])]
        return self._views[key]

    def news_for(self, school_id: int) -> News | None:
        """This week's news for a school, or None when there is none."""
        if school_id not in self._news:
            others = [p for p in self.new_posts if p.school_id != school_id]
            self._news[school_id] = (
                News(
                    count=len(others),
                    count_text=plural(
                        len(others), "new offer or request", "new offers and requests"
                    ),
                    posts=others[:NEWS_TITLES],
                    more=max(len(others) - NEWS_TITLES, 0),
                    thanks=and_join(self.givers),
                    browse_url=self.browse_url,
                )
                if others or self.givers
                else None
            )
        return self._news[school_id]

    def news_count_for(self, school_id: int) -> int:
        """New posts this week from other schools (your own school's aren't news to you)."""
        return len(self.new_posts) - self._posts_by_school[school_id]

    def has_content(self, school_id: int, can_help: bool, could_help_you: bool, news: bool) -> bool:
        """Is there anything new for this person in the sections they chose?

        News alone counts only when other schools posted something this week; the "thank
        you" line on its own is not a reason to send an email.
        """
        return bool(
            (can_help and self.by_offer_school.get(school_id))
            or (could_help_you and self.by_request_school.get(school_id))
            or (news and self.news_count_for(school_id) > 0)
        )

    def marker(self, key: str) -> str:
        return f"{self._marker_prefix}{key}]]"

    def fill(self, template: str, values: dict[str, str]) -> str:
        return self._marker_re.sub(lambda m: values[m.group(1)], template)

    def version(self, user: User, templates: DigestTemplates) -> SchoolVersion | None:
        """The email for the person's school and section choices, or None if nothing is new."""
        school = user.school
        if school is None:
            return None
        key = (school.id, user.digest_can_help, user.digest_could_help_you, user.digest_news)
        if key not in self._versions:
            self._versions[key] = self._render_version(school, *key[1:], templates=templates)
        return self._versions[key]

    def _render_version(
        self,
        school: Any,
        show_can_help: bool,
        show_could_help_you: bool,
        show_news: bool,
        templates: DigestTemplates,
    ) -> SchoolVersion | None:
        can_help = self.views(school.id, "offer") if show_can_help else []
        could_help_you = self.views(school.id, "request") if show_could_help_you else []
        news = self.news_for(school.id) if show_news else None
        if not (can_help or could_help_you or (news and news.count)):
            return None

        def item(view: SuggestionView) -> DigestItem:
            if view.answered:
                return DigestItem(view, [])
            replies = [
                ReplyLink(
                    ANSWER_WORDS[a], view.labels[a], self.marker(_reply_key(view.suggestion, a))
                )
                for a in Answer
            ]
            return DigestItem(view, replies)

        partnership = current_app.config["PARTNERSHIP_NAME"]
        subject = subject_for(
            partnership,
            len({view.school for view in can_help}),
            len({view.school for view in could_help_you}),
            news.count if news else 0,
        )
        help_items = [item(view) for view in can_help]
        helped_items = [item(view) for view in could_help_you]
        context = {
            "subject": subject,
            "partnership": partnership,
            "week": week_label(self.week_start),
            "person": _Reader(name=self.marker("name"), email=self.marker("email")),
            "school": school,
            "show_can_help": show_can_help,
            "show_could_help_you": show_could_help_you,
            # A news-only email says so in one line rather than under two empty headings.
            "no_suggestions": not (help_items or helped_items),
            "help_items": help_items,
            "helped_items": helped_items,
            "news": news,
            "gap": (
                self.gap
                if show_can_help
                and self.gap is not None
                and school.id not in self.gap.asking_school_ids
                else None
            ),
            "preferences_url": self.marker("preferences"),
            "unsubscribe_url": self.marker("unsubscribe"),
        }
        return SchoolVersion(
            subject=subject,
            text=templates.text.render(context),
            html=templates.html.render(context),
            needs_links=tuple(
                view.suggestion for view in (*can_help, *could_help_you) if not view.answered
            ),
        )


def _reply_key(suggestion: Suggestion, answer: Answer) -> str:
    return f"reply_{suggestion.id}_{answer.value}"


# --- one person's email --------------------------------------------------------------------


def compose_digest(
    plan: DigestPlan,
    user: User,
    message_id: str,
    templates: DigestTemplates,
    digest_links: DigestLinks | None = None,
) -> Mail | None:
    """This person's digest for the week, or None when their sections have nothing new."""
    version = plan.version(user, templates)
    if version is None:
        return None
    digest_links = digest_links or DigestLinks()
    unsubscribe = digest_links.unsubscribe_url(user)
    values = {
        "name": user.name,
        "email": user.email,
        "unsubscribe": unsubscribe,
        "preferences": digest_links.preferences_url(user),
    }
    for suggestion in version.needs_links:
        for answer, url in digest_links.reply_urls(suggestion, user).items():
            values[_reply_key(suggestion, answer)] = url
    html_values = {key: str(escape(value)) for key, value in values.items()}
    return Mail(
        to=user.email,
        subject=version.subject,
        text=plan.fill(version.text, values),
        html=plan.fill(version.html, html_values),
        headers={
            # RFC 8058: mail providers can unsubscribe with one POST, no page in between.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: no out-of-office replies to a weekly bulletin.
            "Auto-Submitted": "auto-generated",
        },
        message_id=message_id,
    )
