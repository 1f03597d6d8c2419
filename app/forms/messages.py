"""Every user-facing text of the forms package, as lazy English msgids (the zh catalog translates them).

Kept in one module so the lead can find them all, and lazy because they are created at import,
long before any request decides the locale. ``text()`` turns one into a ``str`` in the current
locale, filling ``%(name)s`` placeholders; call it where the message leaves the package.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# -- submission validation (per field, shown beside the field) ---------------------------------
REQUIRED = _l("This field is required.")
UNKNOWN_FIELD = _l("This form has no such field.")
NOT_AN_OBJECT = _l("Send the form data as a JSON object.")
ENTER_TEXT = _l("Enter text.")
BAD_CHARACTERS = _l("This text contains characters that are not allowed.")
MIN_LENGTH = _l("Enter at least %(min)s characters.")
MAX_LENGTH = _l("Enter at most %(max)s characters.")
PATTERN = _l("The value does not have the expected format.")
EMAIL = _l("Enter a valid email address.")
PHONE = _l("Enter a valid phone number.")
NUMBER = _l("Enter a number.")
NUMBER_TOO_LONG = _l("Enter a number with at most %(digits)s digits.")
INTEGER = _l("Enter a whole number.")
DECIMALS = _l("Enter at most %(digits)s decimal places.")
MIN_VALUE = _l("Enter %(min)s or more.")
MAX_VALUE = _l("Enter %(max)s or less.")
STEP = _l("Enter a multiple of %(step)s.")
BOOLEAN = _l("Send true or false.")
CHOICE = _l("Choose one of the options.")
CHOICES = _l("Choose from the options.")
DATE = _l("Enter a date as YYYY-MM-DD.")
TIME = _l("Enter a time as HH:MM.")
DATETIME = _l("Enter a date and time as YYYY-MM-DD HH:MM.")
PAST_DATE = _l("Choose today or a later date.")

# -- rendering -------------------------------------------------------------------------------------
CHOOSE = _l("Choose…")
REQUIRED_HINT = _l("(required)")
# The form-level summary reuses the msgid app/errors.py already has.
SOME_FIELDS_INVALID = _l("Some fields are invalid.")

# -- loading a .form file (FormLoadError) ----------------------------------------------------------
LOAD_TOO_LARGE = _l("The form file is larger than %(kb)s KB.")
LOAD_NOT_JSON = _l("The form file is not valid JSON: %(error)s")
LOAD_NOT_OBJECT = _l("The form must be a JSON object.")
LOAD_NO_ID = _l("The form needs an id.")
LOAD_COMPONENTS = _l("The form's components must be a list.")
LOAD_COMPONENT = _l("Component %(where)s must be a JSON object.")
LOAD_TOO_DEEP = _l("Groups are nested more than %(depth)s levels deep.")
LOAD_UNREADABLE = _l("The form file cannot be read: %(error)s")
LOAD_DUPLICATE_ID = _l("The form id %(form_id)s is also used by %(other)s.")

# -- deploy-time checking (FormProblem) ------------------------------------------------------------
P_NO_TYPE = _l("The component has no type.")
P_NO_ID = _l("The component has no id.")
P_DUPLICATE_ID = _l("The component id %(id)s is used more than once.")
P_TYPE = _l("Component type %(type)s is not supported.")
P_FEEL = _l("FEEL expressions are not supported (%(property)s).")
P_CONDITIONAL = _l("Conditions are not supported (%(property)s).")
P_TEMPLATE = _l("Templates ({{ }}) are not supported in %(property)s.")
P_TEXT_TEMPLATE = _l("Only {{ variable }} templates are supported in text.")
P_PROPERTY = _l("The property %(property)s is not supported.")
P_GROUP_PATH = _l("Groups with a data path are not supported.")
P_NO_KEY = _l("This field needs a key.")
P_DUPLICATE_KEY = _l("The key %(key)s is used by more than one field.")
P_BAD_KEY = _l("The key %(key)s is not a valid name (ASCII letters, digits and _, not starting with a digit).")
P_RESERVED_KEY = _l("The key %(key)s is reserved.")
P_RULE = _l("The validation rule %(rule)s is not supported for %(type)s fields.")
P_RULE_NUMBER = _l("The validation rule %(rule)s must be a number.")
P_RULE_COUNT = _l("The validation rule %(rule)s must be a whole number of 0 or more.")
P_RULE_BOOL = _l("The validation rule %(rule)s must be true or false.")
P_VALIDATION_TYPE = _l("The validation type %(value)s is not supported.")
P_PATTERN = _l("The pattern is not a valid regular expression: %(error)s")
P_PATTERN_SLOW = _l("The pattern repeats a repetition and may take exponential time.")
P_OPTIONS_SOURCE = _l("The field needs static values or a valuesKey.")
P_OPTION = _l("Option %(index)s needs a label and a value that is text, a number or true/false.")
P_SUBTYPE = _l("The date/time subtype %(value)s is not supported.")
P_TIME_FORMAT = _l("The time format %(value)s is not supported.")
P_DECIMAL_DIGITS = _l("decimalDigits must be a whole number of 0 or more.")
P_INCREMENT = _l("increment must be a positive number.")
P_FLAG = _l("%(property)s must be true or false.")
P_DEFAULT = _l("The default value is not valid: %(error)s")


def text(message: Any, **params: Any) -> str:
    """The message in the current locale, with its placeholders filled."""
    return str(message) % params if params else str(message)
