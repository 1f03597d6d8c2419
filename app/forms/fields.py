"""One marshmallow field per form-js input type.

Every field handles "missing", ``null`` and empty in one place (``FormField.deserialize``): a
required field must not be empty, an optional one becomes its ``defaultValue`` when missing and
its empty value otherwise, so the task data always holds every key of the form (BPMN conditions
can then name any field without a NameError). Messages are produced in the current locale.

Types produced: text → ``str`` (stripped; CRLF → LF); number → ``int`` when ``decimalDigits`` is 0,
``str`` when ``serializeToString``, else ``Decimal``; checkbox → ``bool``; checklist → ``list`` of
option values; radio/select → the option's value (its JSON type) or ``None``; datetime → ISO ``str``.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from marshmallow import ValidationError, fields
from marshmallow.utils import missing

from app.forms import dates
from app.forms import messages as m
from app.forms.model import Component
from app.forms.options import find_option, options_for

# Unless the form says otherwise: task data lives in every saved workflow state, keep it bounded.
DEFAULT_MAX_LENGTH = {"textfield": 1000, "textarea": 20000}
MAX_NUMBER_DIGITS = 30
# The HTML living standard's e-mail syntax (what <input type=email> accepts).
EMAIL_RE = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
# form-js only accepts international numbers (+4930664040900); people here write 13812345678 or
# 021-12345678 as often, so: +/00 and 7-15 digits, a mainland mobile, or a landline with area code.
PHONE_RE = re.compile(r"(?:\+|00)[1-9]\d{6,14}|1[3-9]\d{9}|0\d{2,3}\d{7,8}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    # ASCII: in JavaScript, which form-js validates with, \d and \w are ASCII only.
    return re.compile(pattern, re.ASCII)


def to_decimal(value: Any) -> Decimal | None:
    """A JSON number, Decimal or numeric text as a finite Decimal; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        # NFKC: full-width digits and point from a Chinese IME (１２．５) are ordinary digits.
        text = unicodedata.normalize("NFKC", value).strip()
        if len(text) > 2 * MAX_NUMBER_DIGITS or not _NUMBER_RE.fullmatch(text):
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None


class FormField(fields.Field):
    """Base: ``convert`` turns a present, non-null value into the stored value or raises."""

    def __init__(self, component: Component):
        super().__init__(required=False, allow_none=True)
        self.component = component

    def empty(self) -> Any:
        return None

    def is_empty(self, value: Any) -> bool:
        return value is None

    def convert(self, value: Any) -> Any:
        raise NotImplementedError

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        component = self.component
        if value is missing:
            if component.required:
                raise ValidationError(m.text(m.REQUIRED))
            if "defaultValue" not in component.raw:
                return self.empty()
            value = component.raw["defaultValue"]
        result = self.empty() if value is None else self.convert(value)
        if component.required and self.is_empty(result):
            raise ValidationError(m.text(m.REQUIRED))
        return result

    def options(self) -> list:
        return options_for(self.component, getattr(self.parent, "options", None))


class IgnoredField(FormField):
    """Disabled and read-only fields: whatever is sent is dropped; the task keeps its value."""

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        return missing


class TextField(FormField):
    def __init__(self, component: Component):
        super().__init__(component)
        rules = component.validate
        self.multiline = component.type == "textarea"
        self.min_length = rules.get("minLength")
        self.max_length = rules.get("maxLength", DEFAULT_MAX_LENGTH[component.type])
        self.pattern = compile_pattern(rules["pattern"]) if isinstance(rules.get("pattern"), str) else None
        self.validation_type = rules.get("validationType")

    def empty(self) -> str:
        return ""

    def is_empty(self, value: Any) -> bool:
        return value == ""

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(m.text(m.ENTER_TEXT))
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        allowed = "\n\t" if self.multiline else ""
        # NUL cannot be stored in PostgreSQL JSON; lone surrogates are not UTF-8; other controls are noise.
        if any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in text):
            raise ValidationError(m.text(m.BAD_CHARACTERS))
        if not text:
            return ""
        errors = []
        if self.min_length is not None and len(text) < self.min_length:
            errors.append(m.text(m.MIN_LENGTH, min=self.min_length))
        if len(text) > self.max_length:
            errors.append(m.text(m.MAX_LENGTH, max=self.max_length))
        elif self.pattern is not None and not self.pattern.fullmatch(text):
            # Full match, like the HTML pattern attribute: "\d{6}" means six digits, not "has six digits".
            errors.append(m.text(m.PATTERN))
        if self.validation_type == "email" and not EMAIL_RE.fullmatch(text):
            errors.append(m.text(m.EMAIL))
        if self.validation_type == "phone" and not PHONE_RE.fullmatch(_PHONE_SEPARATORS.sub("", text)):
            errors.append(m.text(m.PHONE))
        if errors:
            raise ValidationError(errors)
        return text


class NumberField(FormField):
    def __init__(self, component: Component):
        super().__init__(component)
        rules, raw = component.validate, component.raw
        self.minimum = to_decimal(rules.get("min"))
        self.maximum = to_decimal(rules.get("max"))
        digits = raw.get("decimalDigits")
        self.decimal_digits = digits if isinstance(digits, int) and not isinstance(digits, bool) else None
        self.increment = to_decimal(raw.get("increment"))
        self.as_string = raw.get("serializeToString") is True

    def convert(self, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        number = to_decimal(value)
        if number is None:
            raise ValidationError(m.text(m.NUMBER))
        places = max(0, -int(number.normalize().as_tuple().exponent))
        # Bounded so that quantize and % below stay exact (and cheap) within the context's precision.
        if max(len(number.as_tuple().digits), number.adjusted() + 1, places) > MAX_NUMBER_DIGITS:
            raise ValidationError(m.text(m.NUMBER_TOO_LONG, digits=MAX_NUMBER_DIGITS))
        errors = []
        if self.decimal_digits is not None and places > self.decimal_digits:
            errors.append(m.text(m.INTEGER) if self.decimal_digits == 0
                          else m.text(m.DECIMALS, digits=self.decimal_digits))
        if self.minimum is not None and number < self.minimum:
            errors.append(m.text(m.MIN_VALUE, min=_plain(self.minimum)))
        if self.maximum is not None and number > self.maximum:
            errors.append(m.text(m.MAX_VALUE, max=_plain(self.maximum)))
        if self.increment and _remainder(number, self.increment) != 0:
            errors.append(m.text(m.STEP, step=_plain(self.increment)))
        if errors:
            raise ValidationError(errors)
        if self.as_string:
            # form-js keeps the text as typed ("007" stays "007"); a JSON number becomes its plain text.
            return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else _plain(number)
        if self.decimal_digits == 0:
            return int(number)
        if self.decimal_digits:
            with localcontext() as context:
                context.prec = 4 * MAX_NUMBER_DIGITS
                return number.quantize(Decimal(1).scaleb(-self.decimal_digits))
        return number


def _remainder(number: Decimal, step: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 4 * MAX_NUMBER_DIGITS  # the default 28 digits would raise for 1e29 % 0.01
        return number % step


def _plain(number: Decimal) -> str:
    return format(number, "f")


class CheckboxField(FormField):
    def empty(self) -> bool:
        return False

    def is_empty(self, value: Any) -> bool:
        return value is False  # form-js: a required checkbox must be ticked

    def convert(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(m.text(m.BOOLEAN))
        return value


class ChoiceField(FormField):
    """radio and select: one of the options, stored with the option's own type."""

    def convert(self, value: Any) -> Any:
        if value == "":
            return None
        option = find_option(self.options(), value)
        if option is None:
            raise ValidationError(m.text(m.CHOICE))
        return option.value


class ChecklistField(FormField):
    def empty(self) -> list:
        return []

    def is_empty(self, value: Any) -> bool:
        return value == []

    def convert(self, value: Any) -> list:
        if not isinstance(value, list):
            raise ValidationError(m.text(m.CHOICES))
        choices, chosen, seen = self.options(), [], set()
        for item in value:
            option = find_option(choices, item)
            if option is None:
                raise ValidationError(m.text(m.CHOICES))
            if option.token not in seen:
                seen.add(option.token)
                chosen.append(option.value)
        return chosen


_DATETIME_MESSAGES = {"date": m.DATE, "time": m.TIME, "datetime": m.DATETIME}


class DatetimeField(FormField):
    def __init__(self, component: Component):
        super().__init__(component)
        raw = component.raw
        self.subtype = raw.get("subtype") if raw.get("subtype") in dates.SUBTYPES else "date"
        self.time_format = raw.get("timeSerializingFormat")
        self.future_only = raw.get("disallowPassedDates") is True and self.subtype != "time"

    def convert(self, value: Any) -> str | None:
        if value == "":
            return None
        if not isinstance(value, str):
            raise ValidationError(m.text(_DATETIME_MESSAGES[self.subtype]))
        try:
            stored, day = dates.normalize(self.subtype, value.strip(), self.time_format)
        except ValueError:
            raise ValidationError(m.text(_DATETIME_MESSAGES[self.subtype]))
        if self.future_only and day is not None and day < dates.today():
            raise ValidationError(m.text(m.PAST_DATE))
        return stored


FIELD_CLASSES: dict[str, type[FormField]] = {
    "textfield": TextField,
    "textarea": TextField,
    "number": NumberField,
    "checkbox": CheckboxField,
    "checklist": ChecklistField,
    "radio": ChoiceField,
    "select": ChoiceField,
    "datetime": DatetimeField,
}


def field_for(component: Component) -> FormField:
    if not component.accepts_input:
        return IgnoredField(component)
    return FIELD_CLASSES[component.type](component)
