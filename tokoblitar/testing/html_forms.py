"""Read a rendered HTML form the way a browser would submit it (for Django test-client tests).

Lost-update tests must post exactly what the page held when it was opened, hidden inputs
included; building the POST body by hand would hide the very values under test.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.depth = 0  # >0 while inside the wanted form
        self.found = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._select_multiple = False
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if self.depth:
                self.depth += 1
            elif not self.found and (self.form_id is None or a.get("id") == self.form_id):
                if self.form_id is None and a.get("method", "get").lower() != "post":
                    return
                self.depth, self.found = 1, True
            return
        if not self.depth:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
            self._select_multiple = "multiple" in a
        elif tag == "option" and self._select:
            self._option = a
            self._text = ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._option is not None or self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.depth:
            self.depth -= 1
        elif tag == "option" and self._option is not None:
            value = self._option.get("value", self._text.strip())
            if self._select_first is None:
                self._select_first = value
            if "selected" in self._option:
                self.fields.append((self._select, value))
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._select_multiple and self._select_first is not None:
                self.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that directly follows <textarea>.
            self.fields.append((self._textarea, self._text[1:] if self._text.startswith("\n") else self._text))
            self._textarea = None


def form_values(html: str, *, form_id: str | None = None) -> dict[str, str | list[str]]:
    """Name -> value of what the page's form (by id, else the first POST form) would submit.

    Repeated names (multi-selects, checkbox groups) become lists.
    """
    reader = _FormReader(form_id)
    reader.feed(html)
    if not reader.found:
        raise AssertionError(f"No form {form_id or '(first POST form)'} in the page")
    values: dict[str, str | list[str]] = {}
    for name, value in reader.fields:
        if name in values:
            prior = values[name]
            values[name] = [*prior, value] if isinstance(prior, list) else [prior, value]
        else:
            values[name] = value
    return values
