"""render_form: plain HTML that works without JavaScript, keeps values, puts errors beside fields."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from markupsafe import Markup

from app.forms import has_submit_button, render_form
from tests.forms import formdocs as fd


@pytest.fixture()
def ctx(app):
    with app.test_request_context():
        yield


def element(html: str, marker: str) -> str:
    """The element whose start tag contains ``marker``, up to its matching end tag."""
    start = html.rfind("<", 0, html.index(marker))
    tag = re.match(r"<(\w+)", html[start:]).group(1)
    depth = 0
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return html[start:start + match.end()]
    raise AssertionError(f"unclosed <{tag}>")


def wrapper(html: str, key: str) -> str:
    """The HTML of one field's wrapper (data-testid="field-<key>")."""
    return element(html, f'data-testid="field-{key}"')


def approval():
    return fd.form(
        "approval",
        fd.component("radio", "decision", "审批结果", id="Field_decision", row="Row_1", columns=8,
                     values=fd.values(("同意", "approve"), ("驳回", "reject")), validate={"required": True}),
        fd.component("number", "quantity", "核定数量", id="Field_quantity", row="Row_1", columns=8,
                     decimalDigits=0, description="1 至 1000", validate={"min": 1, "max": 1000}),
        fd.component("textarea", "comment", "审批意见", id="Field_comment",
                     validate={"required": True, "minLength": 2}),
        fd.component("button", None, "提交", id="Field_submit", action="submit"),
    )


def test_renders_fields_only_never_the_form_element_or_csrf(ctx):
    html = render_form(approval(), values={})

    assert isinstance(html, Markup)
    assert "<form" not in html
    assert "csrf" not in html
    assert 'data-testid="form-approval"' in html


def test_each_input_has_the_key_as_name_a_stable_id_and_a_testid_wrapper(ctx):
    first = render_form(approval(), values={})
    again = render_form(approval(), values={"comment": "x"})

    comment = wrapper(first, "comment")
    assert 'name="comment"' in comment
    assert 'id="form-approval-Field_comment"' in comment
    assert '<label for="form-approval-Field_comment">' in comment
    assert 'id="form-approval-Field_comment"' in again
    assert 'name="decision"' in wrapper(first, "decision")
    assert 'name="quantity"' in wrapper(first, "quantity")


def test_chinese_labels_required_marker_and_description(ctx):
    html = render_form(approval(), values={})

    assert "审批意见" in html
    assert '<span class="form-required" aria-hidden="true">*</span>' in wrapper(html, "comment")
    assert 'required="required"' in wrapper(html, "comment")
    assert "form-required" not in wrapper(html, "quantity")
    quantity = wrapper(html, "quantity")
    assert '<p class="form-description" id="form-approval-Field_quantity-desc">1 至 1000</p>' in quantity
    assert 'aria-describedby="form-approval-Field_quantity-desc"' in quantity


def test_errors_sit_beside_their_field_and_values_are_kept(ctx):
    html = render_form(approval(), values={"decision": "reject", "quantity": "abc", "comment": "好"},
                       errors={"comment": ["Enter at least 2 characters."], "quantity": ["Enter a number."]})

    comment = wrapper(html, "comment")
    assert 'aria-invalid="true"' in comment
    assert 'aria-describedby="form-approval-Field_comment-error"' in comment
    assert ('<div class="form-errors" id="form-approval-Field_comment-error">'
            '<p class="field-error">Enter at least 2 characters.</p></div>') in comment
    assert ">好</textarea>" in comment
    quantity = wrapper(html, "quantity")
    assert 'value="abc"' in quantity  # the refused entry is shown again to be corrected
    assert 'aria-describedby="form-approval-Field_quantity-error form-approval-Field_quantity-desc"' in quantity
    assert re.search(r'value="reject" checked', wrapper(html, "decision"))
    assert "has-error" not in wrapper(html, "decision")
    # and a summary at the top links to each field
    assert '<a href="#form-approval-Field_comment">审批意见</a>: Enter at least 2 characters.' in html


def test_errors_for_keys_without_a_field_are_listed_in_the_summary(ctx):
    html = render_form(approval(), values={}, errors={"_schema": ["Send the form data as a JSON object."],
                                                        "bogus": ["This form has no such field."]})
    assert "<li>Send the form data as a JSON object.</li>" in html
    assert "<li>bogus: This form has no such field.</li>" in html


def test_html_in_labels_values_and_errors_is_escaped(ctx):
    definition = fd.form(
        "xss",
        fd.component("textfield", "name", '<img src=x onerror="alert(1)">', description="<b>说明</b>",
                     appearance={"prefixAdorner": "<i>¥</i>"}),
        fd.component("select", "kind", "<script>k</script>", values=fd.values(("<em>A</em>", '"><script>'))),
    )

    html = render_form(definition, values={"name": '"><script>alert(1)</script>'},
                       errors={"name": ["<script>e</script>"]})

    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "&lt;b&gt;说明&lt;/b&gt;" in html
    assert "&lt;i&gt;¥&lt;/i&gt;" in html
    assert 'value="&#34;&gt;&lt;script&gt;"' in html


def test_markdown_text_is_safe_and_substitutes_escaped_variables(ctx):
    definition = fd.form("text", fd.component("text", id="Field_text", text=(
        "## 注意\n<script>alert(1)</script> **加粗** 与 *斜体*\n\n- 一\n- 二\n\n"
        "[指南](https://example.gov.cn/guide) [坏链接](javascript:alert(1))\n\n申请人：{{ applicant }}")))

    html = render_form(definition, values={"applicant": "<b>张三</b>"})

    text = element(html, 'data-testid="text-Field_text"')
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<h4>注意</h4>" in text
    assert "<strong>加粗</strong>" in text and "<em>斜体</em>" in text
    assert "<ul><li>一</li><li>二</li></ul>" in text
    assert '<a href="https://example.gov.cn/guide" rel="noopener noreferrer" target="_blank">指南</a>' in text
    assert "javascript:" not in text and "坏链接" in text
    assert "申请人：&lt;b&gt;张三&lt;/b&gt;" in text


def test_layout_rows_become_grid_spans(ctx):
    definition = fd.form(
        "layout",
        fd.component("textfield", "a", "A", row="Row_x", columns=4),
        fd.component("textfield", "b", "B", row="Row_x"),
        fd.component("textfield", "c", "C", row="Row_x"),
        fd.component("textfield", "d", "D", row="Row_y"),
    )
    html = render_form(definition, values={})

    rows = html.split('<div class="form-row">')[1:]
    assert [re.findall(r"span-(\d+)", row) for row in rows] == [["4", "6", "6"], ["16"]]


def test_defaults_fill_missing_values_but_not_given_ones(ctx):
    definition = fd.form(
        "defaults",
        fd.component("textfield", "a", "A", defaultValue="默认"),
        fd.component("checkbox", "b", "B", defaultValue=True),
        fd.component("checklist", "c", "C", values=fd.values(("X", "x"), ("Y", "y")), defaultValue=["y"]),
    )

    fresh = render_form(definition, values={})
    given = render_form(definition, values={"a": "", "b": False, "c": []})

    assert 'value="默认"' in wrapper(fresh, "a") and 'value=""' in wrapper(given, "a")
    assert "checked" in wrapper(fresh, "b") and "checked" not in wrapper(given, "b")
    assert re.search(r'value="y" checked', wrapper(fresh, "c")) and "checked" not in wrapper(given, "c")


def test_values_of_each_type_are_shown(ctx):
    definition = fd.form(
        "types",
        fd.component("number", "n", "N", decimalDigits=2),
        fd.component("datetime", "d", None, subtype="datetime", dateLabel="日期", timeLabel="时间",
                     timeSerializingFormat="utc_normalized"),
        fd.component("datetime", "t", None, subtype="time", timeLabel="时间"),
        fd.component("select", "s", "S", values=[{"label": "一", "value": 1}, {"label": "二", "value": 2}]),
    )

    html = render_form(definition, values={"n": Decimal("12.50"), "d": "2026-02-28T23:00Z", "t": "09:30", "s": 2})

    assert 'value="12.50"' in wrapper(html, "n")
    assert 'inputmode="decimal"' in wrapper(html, "n")
    assert 'type="datetime-local"' in wrapper(html, "d") and 'value="2026-03-01T07:00"' in wrapper(html, "d")
    assert "日期 时间" in wrapper(html, "d")
    assert 'type="time"' in wrapper(html, "t") and 'value="09:30"' in wrapper(html, "t")
    assert '<option value="2" selected>二</option>' in wrapper(html, "s")
    assert '<option value="">Choose…</option>' in wrapper(html, "s")


def test_select_options_come_from_values_key(ctx):
    definition = fd.form("regions", fd.component("select", "region", "区", valuesKey="regions"))
    regions = [{"label": "黄浦区", "value": "huangpu"}, {"label": "浦东新区", "value": "pudong"}]

    from_task = render_form(definition, values={"regions": regions, "region": "pudong"})
    given = render_form(definition, values={}, options={"regions": regions[:1]})

    assert '<option value="pudong" selected>浦东新区</option>' in from_task
    assert '<option value="huangpu">黄浦区</option>' in given and "pudong" not in given


def test_disabled_readonly_and_readonly_mode(ctx):
    definition = fd.form(
        "locks",
        fd.component("textfield", "a", "A", readonly=True),
        fd.component("radio", "b", "B", readonly=True, values=fd.values(("X", "x"))),
        fd.component("number", "c", "C", disabled=True),
        fd.component("textfield", "d", "D"),
        fd.component("button", None, "提交", action="submit"),
    )

    html = render_form(definition, values={})
    done = render_form(definition, values={}, readonly=True)

    assert 'readonly="readonly"' in wrapper(html, "a") and "disabled" not in wrapper(html, "a")
    assert 'disabled="disabled"' in wrapper(html, "b")  # HTML has no read-only radio
    assert 'disabled="disabled"' in wrapper(html, "c")
    assert "disabled" not in wrapper(html, "d")
    assert '<button type="submit"' in html
    assert all('disabled="disabled"' in wrapper(done, key) for key in "abcd")
    assert "<button" not in done


def test_render_texts_follow_the_locale(app):
    from flask_babel import force_locale

    definition = fd.form("zh", fd.component("select", "s", "选择", values=fd.values(("A", "a"))))
    with app.test_request_context(), force_locale("zh"):
        html = render_form(definition, values={}, errors={"s": ["请选择"]})
    assert "部分字段不符合要求。" in html  # the summary title, from the zh catalog
    assert ">请选择</p>" in html


def test_groups_spacers_separators_and_reset_buttons(ctx):
    definition = fd.form(
        "parts",
        fd.component("group", None, "申请信息", id="Group_g", components=[fd.component("textfield", "inner", "内")]),
        fd.component("spacer", height=24),
        fd.component("separator"),
        fd.component("button", None, "重置", action="reset"),
    )

    html = render_form(definition, values={})

    group = element(html, 'data-testid="group-Group_g"')
    assert 'class="form-group outlined"' in group
    assert "<legend>申请信息</legend>" in group and 'data-testid="field-inner"' in group
    assert 'style="height: 24px"' in html
    assert '<hr class="form-separator">' in html
    assert "重置" not in html
    assert has_submit_button(definition) is False
    assert has_submit_button(fd.form("s", fd.component("button", None, "提交", action="submit"))) is True
