"""Camunda expression translation, the RestrictedPython sandbox and its budgets, timers, handlers."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from app.workflow import handlers, timers
from app.workflow.expressions import (
    ExpressionError,
    RestrictedScriptEngine,
    compile_check,
    sanitize_data,
    translate,
    translate_timer,
)
from app.workflow.limits import LimitExceeded
from app.workflow.sandbox import SHANGHAI, Sandbox, SandboxError


@pytest.mark.parametrize(("camunda", "python"), [
    ("${approved}", "approved"),
    ("${!approved}", "not approved"),
    ("${a && !b || c != d}", "a and not b or c != d"),
    ("${a&&b||!c}", "a and b or not c"),
    ("${!(a || b)}", "not (a or b)"),
    ("${amount > 1000 && status == 'new'}", "amount > 1000 and status == 'new'"),
    ("${flag == true || other == null}", "flag == True or other == None"),
    ("${amount gt 1000}", "amount > 1000"),
    ("#{approved}", "approved"),
    ("approved && !rejected", "approved and not rejected"),
    ("a != b", "a != b"),
])
def test_translation(camunda, python):
    assert translate(camunda) == python
    assert translate(python) == python  # idempotent: the engine translates again at run time


@pytest.mark.parametrize("literal", ["'a && b || !c'", '"x != !y"', "'it\\'s !true'", '"""&& || !"""'])
def test_string_literals_are_left_alone(literal):
    assert translate("${name == " + literal + "}") == f"name == {literal}"


def test_attribute_named_like_a_literal_is_not_translated():
    assert translate("${order.true}") == "order.true"


@pytest.mark.parametrize("text", ["Hello ${name}", "${a} and ${b}", "${unbalanced"])
def test_composite_or_broken_wrappers_are_refused(text):
    with pytest.raises(ExpressionError):
        translate(text)


@pytest.mark.parametrize(("kind", "text", "python"), [
    ("timeDuration", "PT24H", "'PT24H'"),
    ("timeDuration", "P1DT2H", "'P1DT2H'"),
    ("timeDuration", "P3M", "iso_duration('P3M')"),
    ("timeDuration", "'PT5M'", "'PT5M'"),
    ("timeDuration", "${reminder}", "iso_duration(reminder)"),
    ("timeDate", "2026-12-01T09:00:00+08:00", "'2026-12-01T09:00:00+08:00'"),
    ("timeDate", "2026-12-01T09:00:00", "'2026-12-01T09:00:00+08:00'"),
    ("timeDate", "2026-12-01", "'2026-12-01T00:00:00+08:00'"),
    ("timeDate", "${workdays(-15, expires_at)}", "iso_date(workdays(-15, expires_at))"),
    ("timeCycle", "R3/PT1H", "'R3/PT1H'"),
    ("timeCycle", "R/2026-01-05T09:00:00/P1D", "'R/2026-01-05T09:00:00+08:00/P1D'"),
])
def test_timer_translation(kind, text, python):
    assert translate_timer(text, kind) == python


@pytest.mark.parametrize(("kind", "text", "reason"), [
    ("timeCycle", "R12/P1M", "drift"),
    ("timeCycle", "0 0 9 * * ?", "cron"),
    ("timeDuration", "workdays(3)", "wrap an expression"),
    ("timeDuration", "P1W2D", "weeks cannot be combined"),
    ("timeDate", "PT1H", "is a duration"),
    ("timeDate", "tomorrow", "not an ISO 8601 date"),
    ("timeDuration", "", "empty"),
])
def test_bad_timers(kind, text, reason):
    assert reason in compile_check(text, kind)


def test_compile_check_accepts_the_four_kinds():
    assert compile_check("${approved && amount < 1000}", "condition") is None
    assert compile_check("total = Decimal('1.5') * n\nfor i in range(3):\n    total += i", "script") is None
    assert compile_check("PT24H", "timer") is None
    assert compile_check("R3/PT1H", "timer") is None
    assert compile_check("${workdays(3)}", "due_date") is None
    assert compile_check("2026-12-01", "due_date") is None
    assert compile_check("P3D", "due_date") is None


@pytest.mark.parametrize(("expression", "reason"), [
    ("${__import__('os').system('id')}", '"__import__" is an invalid variable name'),
    ("${().__class__.__bases__[0].__subclasses__()}", '"__class__" is an invalid attribute name'),
    ("${x.__globals__}", "starts with"),
    ("${open('/etc/passwd').read()}", '"open" is not available'),
    ("${exec('import os')}", "Exec calls are not allowed"),
    ("${eval('1')}", "Eval calls are not allowed"),
    ("${getattr(x, '__cl' + 'ass__')}", '"getattr" is not available'),
    ("${vars()}", '"vars" is not available'),
    ("${type(x).mro()}", '"type" is not available'),
    ("${f'{x:{width}}'}", "computed format"),
    ("${execution.getVariable('x')}", "execution"),
    ("= approved", "FEEL"),
    ("${approved ? 1 : 2}", "SyntaxError"),
])
def test_dangerous_or_foreign_expressions_are_refused(expression, reason):
    assert reason in compile_check(expression, "condition")


@pytest.mark.parametrize(("script", "reason"), [
    ("import os", "imports are not allowed"),
    ("from os import system", "imports are not allowed"),
    ("class A: pass", "class definitions"),
    ("x = ().__class__", "invalid attribute name"),
])
def test_dangerous_scripts_are_refused(script, reason):
    assert reason in compile_check(script, "script")


def test_unknown_functions_are_refused_when_the_offer_is_known():
    assert "unknown function dateTime()" in compile_check("${dateTime().plusDays(3)}", "due_date",
                                                          functions={"workdays"})
    assert compile_check("${workdays(3)}", "due_date", functions={"workdays"}) is None
    assert compile_check("f = lambda x: x\ny = f(len(z))", "script", functions=set()) is None


def test_runtime_escapes_are_blocked():
    sandbox = Sandbox()
    with pytest.raises(NotImplementedError):
        sandbox.evaluate("'{0.__class__}'.format(1)", {})
    with pytest.raises(AttributeError):
        sandbox.evaluate("d.nothing", {"d": {}})
    with pytest.raises(NameError):
        sandbox.evaluate("undefined_name", {})
    with pytest.raises(SandboxError):
        sandbox.evaluate("__import__('os')", {})


def assert_fails_fast(script: str, exception=LimitExceeded):
    sandbox = Sandbox()
    data = {"keep": 1}
    started = time.monotonic()
    with pytest.raises(exception):
        sandbox.execute(script, data)
    assert time.monotonic() - started < 2
    assert data == {"keep": 1}  # a failed script changes nothing


@pytest.mark.parametrize("script", [
    "while True: pass",
    "x = 'x' * 10**9",
    "x = 10**10**10",
    "x = 1 << 10**10",
    "x = [0] * 10**9",
    "x = pow(10, 10**10)",
    "x = sum(range(10**10))",
    "s = 'a' * 100000\ny = s.replace('a', s)",
    "s = 'ab' * 1000\ny = ''.join([s] * 1000000)",
    "y = 'x'.ljust(10**9)",
    "y = '%999999999d' % 1",
    "l = [0]\nfor i in range(64): l.extend(l)",
    "while True:\n    try:\n        while True: pass\n    except Exception: pass",
    "f = lambda n: f(n - 1) + f(n - 1) if n else 1\nf(64)",
    "def f(n):\n    try:\n        return f(n + 1) + f(n + 1)\n    except:\n        return f(n)\nf(0)",
])
def test_runaway_scripts_fail_fast(script):
    assert_fails_fast(script)


def test_budget_error_reads_clearly():
    with pytest.raises(LimitExceeded, match="more than 1,000,000 steps"):
        Sandbox().execute("while True: pass", {})


def test_decimal_dates_and_injected_functions():
    engine = RestrictedScriptEngine({"workdays": lambda n, start=None: date(2026, 1, 5) + timedelta(days=n)})
    data = {"price": Decimal("12.50"), "n": 3, "order": {"amount": 7}}
    assert engine.evaluate_expression("${price * n == Decimal('37.50')}", data) is True
    assert engine.evaluate_expression("${order.amount > 5 && !(n > 3)}", data) is True
    assert engine.evaluate_expression("workdays(2)", data) == date(2026, 1, 7)
    assert engine.evaluate_expression("datetime(2026, 1, 1).tzinfo == SHANGHAI", data) is True
    script = "total = (price * n).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)\nitems = [i * 2 for i in range(3)]"
    engine.environment.execute(script, data)
    assert data["total"] == Decimal("37.5") and data["items"] == [0, 2, 4]


def test_scripts_cannot_leave_unloadable_data():
    engine = RestrictedScriptEngine()
    data = {"order": {"amount": 1}}
    with pytest.raises(ValueError, match="typename"):
        engine.environment.execute("order['typename'] = 'x'\ntotal = 2", data)
    assert data == {"order": {"amount": 1}}


def test_functions_must_be_usable_names():
    with pytest.raises(ValueError):
        Sandbox({"_secret": len})


# -- timers and due dates --------------------------------------------------------------------------

def frozen(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(timers, "utcnow", lambda: moment)


def test_months_are_calendar_months_in_shanghai(monkeypatch):
    start = datetime(2026, 1, 31, 2, 0, tzinfo=UTC)  # 10:00 on 31 January in Shanghai
    frozen(monkeypatch, start)
    # SpiffWorkflow 3.2.0 alone: January's 31 days, i.e. 3 March.
    spiff = TimerEventDefinition.get_timedelta_from_start({"months": 1}, start)
    assert spiff == timedelta(days=31)
    # Ours: clamped to the end of February, as Camunda does.
    assert timers.iso_duration("P1M") == timers.duration_string(datetime(2026, 2, 28, 2, tzinfo=UTC) - start)
    assert timers.to_datetime("P1M") == datetime(2026, 2, 28, 10, tzinfo=SHANGHAI)


def test_months_follow_the_shanghai_calendar_not_utc(monkeypatch):
    start = datetime(2026, 2, 28, 21, 0, tzinfo=UTC)  # 05:00 on 1 March in Shanghai
    frozen(monkeypatch, start)
    assert TimerEventDefinition.get_timedelta_from_start({"months": 1}, start) == timedelta(days=28)
    assert timers.to_datetime("P1M") == datetime(2026, 4, 1, 5, tzinfo=SHANGHAI)


def test_timer_value_conversions(monkeypatch):
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    frozen(monkeypatch, now)
    assert timers.iso_duration(timedelta(hours=2)) == "PT7200S"
    assert timers.iso_duration(timedelta(seconds=-5)) == "PT0S"
    assert timers.iso_duration(timedelta(seconds=1.5)) == "PT1.5S"
    assert timers.iso_duration(now + timedelta(days=1)) == "PT86400S"
    assert timers.iso_duration("pt24h") == "PT24H"
    assert timers.iso_date(datetime(2026, 12, 1, 9)) == "2026-12-01T09:00:00+08:00"
    assert timers.iso_date(date(2026, 12, 1)) == "2026-12-01T00:00:00+08:00"
    assert timers.iso_date(timedelta(hours=1)) == "2026-03-02T02:00:00+00:00"
    for value in ("PT7200S", "PT1.5S"):
        assert TimerEventDefinition.parse_iso_duration(value)  # SpiffWorkflow reads what we produce
    with pytest.raises(TypeError):
        timers.iso_duration(3)
    with pytest.raises(ValueError, match="drift"):
        timers.iso_cycle("R/P1M")


def test_month_timers_reach_spiffworkflow_as_exact_seconds(monkeypatch):
    frozen(monkeypatch, datetime(2026, 11, 30, 4, 0, tzinfo=UTC))
    value = RestrictedScriptEngine().evaluate_expression(translate_timer("P3M", "timeDuration"), {})
    assert value == timers.duration_string(datetime(2027, 2, 28, 4, tzinfo=UTC) - datetime(2026, 11, 30, 4, tzinfo=UTC))
    assert TimerEventDefinition.parse_iso_duration(value) == {"seconds": 90 * 86400}


def test_due_dates_from_expressions_and_literals(monkeypatch):
    frozen(monkeypatch, datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    engine = RestrictedScriptEngine({"workdays": lambda n, start=None: datetime(2026, 3, 5, 18)})
    assert engine.due_date("${workdays(3)}", {}) == datetime(2026, 3, 5, 18, tzinfo=SHANGHAI)
    assert engine.due_date("2026-12-01", {}) == datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert engine.due_date("P1D", {}) == datetime(2026, 3, 3, 9, tzinfo=SHANGHAI)
    assert engine.due_date("${deadline}", {"deadline": "2026-04-01T10:00:00+08:00"}).hour == 10


# -- variables and handlers ------------------------------------------------------------------------

def test_sanitize_data_refuses_typename_anywhere():
    assert sanitize_data({"a": {"b": [1, {"c": 2}]}}) == {"a": {"b": [1, {"c": 2}]}}
    with pytest.raises(ValueError, match=r"'typename'.*a\.b\[1\]\.typename"):
        sanitize_data({"a": {"b": [1, {"typename": "x"}]}})
    with pytest.raises(ValueError, match="'typename'"):
        sanitize_data({"typename": 1})
    with pytest.raises(ValueError, match="'_getattr_'"):
        sanitize_data({"_getattr_": 1})
    with pytest.raises(ValueError):
        sanitize_data(["not", "a", "dict"])


def test_handler_registry():
    topic = "test.expressions.echo"

    @handlers.handler(topic)
    def echo(ctx):
        return {"seen": ctx.data["x"], "tenant": ctx.tenant}

    try:
        assert handlers.get_handler(topic) is echo
        assert topic in handlers.known_topics()
        handlers.register(topic, echo)  # the same function again (a re-import) is fine
        with pytest.raises(ValueError, match="already handled"):
            handlers.register(topic, lambda ctx: None)
        ctx = handlers.HandlerContext(data={"x": 1}, process_key="p", business_key="b", tenant_id="xuhui",
                                      instance_id=1)
        assert handlers.call(topic, ctx) == {"seen": 1, "tenant": "xuhui"}
    finally:
        handlers.unregister(topic)
    assert handlers.get_handler(topic) is None
    with pytest.raises(ValueError, match="invalid handler topic"):
        handlers.register("Bad Topic", echo)
    with pytest.raises(LookupError):
        handlers.call(topic, ctx)
