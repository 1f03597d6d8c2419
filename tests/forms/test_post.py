"""parse_form_post: a no-JavaScript HTML post becomes the JSON the API would get; one validator for both."""
from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from app.errors import ValidationFailed
from app.forms import parse_form_post, render_form, validate_submission
from tests.forms import formdocs as fd

REGIONS = [{"label": "黄浦区", "value": "huangpu"}, {"label": "浦东新区", "value": "pudong"},
           {"label": "七", "value": 7}]


def every_type():
    return fd.form(
        "every-type",
        fd.component("textfield", "name", "名称", validate={"required": True}),
        fd.component("textarea", "note", "备注"),
        fd.component("number", "count", "数量", decimalDigits=0, validate={"min": 1}),
        fd.component("number", "price", "单价", decimalDigits=2),
        fd.component("number", "code", "编号", serializeToString=True),
        fd.component("checkbox", "agree", "同意"),
        fd.component("checkbox", "urgent", "加急"),
        fd.component("checklist", "extras", "附加", values=fd.values(("备份", "backup"), ("公网", "internet"))),
        fd.component("radio", "flag", "是否", values=[{"label": "是", "value": True}, {"label": "否", "value": False}]),
        fd.component("select", "region", "区", valuesKey="regions"),
        fd.component("select", "level", "级别", values=[{"label": "一", "value": 1}, {"label": "二", "value": 2}]),
        fd.component("datetime", "day", None, subtype="date", dateLabel="日期"),
        fd.component("datetime", "at", None, subtype="datetime", dateLabel="日期", timeLabel="时间",
                     timeSerializingFormat="utc_offset"),
        fd.component("textfield", "locked", "锁定", readonly=True),
    )


SUBMITTED = {
    "name": "上海市大数据中心", "note": "第一行\n第二行", "count": 3, "price": Decimal("12.50"), "code": "007",
    "agree": True, "urgent": False, "extras": ["internet"], "flag": False, "region": "pudong", "level": 2,
    "day": "2026-03-01", "at": "2026-03-01T09:30+08:00",
}


def test_round_trip_render_post_parse_validate(app):
    definition = every_type()
    task = {"regions": REGIONS, "locked": "原值"}
    with app.test_request_context():
        html = render_form(definition, values={**task, **SUBMITTED})
        posted = fd.browser_post(html)
        parsed = parse_form_post(definition, posted, current=task)
        result = validate_submission(definition, parsed, current=task)

    assert "csrf_token" not in parsed and "locked" not in parsed
    assert result == {**SUBMITTED, "locked": "原值"}
    # the JSON API gets the same answer for the same values
    assert validate_submission(definition, SUBMITTED, current=task) == result


def test_form_post_values_are_typed_like_json(app):
    definition = every_type()
    posted = MultiDict([
        ("name", " 名称 "), ("note", "a\r\nb"), ("count", "３"), ("price", "12.5"), ("code", "007"),
        ("agree", "true"), ("extras", "backup"), ("extras", "internet"), ("flag", "true"),
        ("region", "7"), ("level", "1"), ("day", ""), ("at", "2026-03-01T09:30"), ("csrf_token", "t"),
        ("locked", "forged"),
    ])

    parsed = parse_form_post(definition, posted, options={"regions": REGIONS})

    assert parsed == {
        "name": " 名称 ", "note": "a\r\nb", "count": 3, "price": Decimal("12.5"), "code": "007", "agree": True,
        "urgent": False, "extras": ["backup", "internet"], "flag": True, "region": 7, "level": 1,
        "day": None, "at": "2026-03-01T09:30",
    }
    with app.test_request_context():
        result = validate_submission(definition, parsed, options={"regions": REGIONS})
    assert result["name"] == "名称" and result["note"] == "a\nb" and result["price"] == Decimal("12.50")
    assert result["at"] == "2026-03-01T09:30+08:00"


def test_bad_entries_pass_through_to_be_refused_and_shown_again(app):
    definition = every_type()
    posted = MultiDict([("name", ""), ("count", "1,000"), ("extras", "gpu"), ("level", "9"), ("region", "xuhui")])

    parsed = parse_form_post(definition, posted, options={"regions": REGIONS})
    assert (parsed["count"], parsed["extras"], parsed["level"], parsed["region"]) == ("1,000", ["gpu"], "9", "xuhui")

    with app.test_request_context():
        with pytest.raises(ValidationFailed) as caught:
            validate_submission(definition, parsed, options={"regions": REGIONS})
        assert caught.value.fields == {
            "name": ["This field is required."], "count": ["Enter a number."], "extras": ["Choose from the options."],
            "region": ["Choose one of the options."], "level": ["Choose one of the options."]}
        html = render_form(definition, values=parsed, errors=caught.value.fields, options={"regions": REGIONS})
    assert 'value="1,000"' in html
