"""Reading the forms of a page (what a browser would submit) and filling their text fields with a
payload, for the stored-script sweep. Standard library only: html.parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

PAYLOAD = '<img src=x onerror=window.__xss=1>"><script>window.__xss=1</script>'
SHORT_PAYLOAD = "<img src=x onerror=window.__xss=1>"  # for fields of fewer characters
URL_PAYLOAD = "javascript:window.__xss=1"
TEXT_TYPES = {"text", "search", ""}


@dataclass
class Field:
    name: str
    value: str
    kind: str  # the input type, "textarea" or "select"
    maxlength: int = 10_000
    free_text: bool = True  # not a date, time or other formatted widget


@dataclass
class Form:
    action: str
    method: str
    form_id: str
    fields: list[Field] = field(default_factory=list)

    def data(self, payload: str = PAYLOAD, keep: frozenset[str] = frozenset()) -> tuple[dict[str, list[str]], set[str]]:
        """The submission with every free-text field (except ``keep``) set to the payload; and
        the names of the fields that were set."""
        data: dict[str, list[str]] = {}
        filled = set()
        for item in self.fields:
            value = item.value
            if item.name not in keep and item.free_text and "__prefix__" not in item.name:
                if item.kind in TEXT_TYPES | {"textarea"}:
                    value = next((p for p in (payload, SHORT_PAYLOAD) if len(p) <= item.maxlength), value)
                elif item.kind == "url" and len(URL_PAYLOAD) <= item.maxlength:
                    value = URL_PAYLOAD
                if value in (payload, SHORT_PAYLOAD, URL_PAYLOAD):
                    filled.add(item.name)
            data.setdefault(item.name, []).append(value)
        return data, filled

    def original(self, name: str) -> list[str]:
        return [item.value for item in self.fields if item.name == name]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), (a.get("method") or "get").lower(), a.get("id", ""))
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            value = a.get("value", "on" if kind == "checkbox" else "")
            self._form.fields.append(Field(a["name"], value, kind, _maxlength(a), _free_text(a)))
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(a["name"], "", "textarea", _maxlength(a))
            self._form.fields.append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = Field(a["name"], "", "select-multiple" if "multiple" in a else "select")
            self._select_first = None
            if self._select.kind == "select":
                self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and self._select.kind == "select-multiple":
                self._form.fields.append(Field(self._select.name, value, "select-chosen"))
            elif "selected" in a:
                self._select.value = value
                self._select.kind = "select-chosen"

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if self._select.kind == "select" and self._select_first is not None:
                self._select.value = self._select_first  # what a browser sends for a single select
            self._select = None
        elif tag == "form":
            self._form = None


def _maxlength(attrs: dict[str, str]) -> int:
    return int(attrs["maxlength"]) if attrs.get("maxlength", "").isdigit() else 10_000


def _free_text(attrs: dict[str, str]) -> bool:
    classes = attrs.get("class", "")
    return not any(
        name in classes for name in ("vDateField", "vTimeField", "vIntegerField", "vForeignKeyRawIdAdminField")
    )


def parse_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms
