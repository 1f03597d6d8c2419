"""The safe Markdown subset of text components, and the form JSON handed to API clients."""
from __future__ import annotations

import json
import re

import pytest

from app.forms import form_schema_json, options_from_data
from app.forms.markdown import has_unsupported_template, render_markdown
from tests.forms import formdocs as fd


@pytest.mark.parametrize(("source", "html"), [
    ("一段\n同一段", "<p>一段<br>同一段</p>"),
    ("第一段\n\n第二段", "<p>第一段</p><p>第二段</p>"),
    ("# 标题", "<h3>标题</h3>"),
    ("**粗** *斜* _斜_ __粗__ `代码 *不斜*`",
     "<p><strong>粗</strong> <em>斜</em> <em>斜</em> <strong>粗</strong> <code>代码 *不斜*</code></p>"),
    ("snake_case_name 与 2 * 3 * 4", "<p>snake_case_name 与 2 * 3 * 4</p>"),
    ("1. 一\n2. 二\n- 甲", "<ol><li>一</li><li>二</li></ol><ul><li>甲</li></ul>"),
    ("- 项目\n  续行", "<ul><li>项目 续行</li></ul>"),
    ("[官网](http://sh.gov.cn/?a=1&b=2)",
     '<p><a href="http://sh.gov.cn/?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">官网</a></p>'),
])
def test_supported_markdown(source, html):
    assert render_markdown(source) == html


@pytest.mark.parametrize(("source", "html"), [
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ('<img src=x onerror="alert(1)">', "<p>&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</p>"),
    ("[x](javascript:alert(1))", "<p>x)</p>"),  # the link is dropped, its text kept
    ("[x](JAVASCRIPT:alert(1))", "<p>x)</p>"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>"),
    ("[x](/relative/path)", "<p>x</p>"),
    ('[x](https://a.cn/"onmouseover="alert(1))', "<p>x)</p>"),
    ("**<b>bold</b>**", "<p><strong>&lt;b&gt;bold&lt;/b&gt;</strong></p>"),
    ("![img](https://a.cn/x.png)",  # no images: a link to it
     '<p>!<a href="https://a.cn/x.png" rel="noopener noreferrer" target="_blank">img</a></p>'),
    ("| a | b |\n|---|---|", "<p>| a | b |<br>|---|---|</p>"),
])
def test_unsupported_markdown_and_html_stay_text(source, html):
    rendered = str(render_markdown(source))

    assert rendered == html
    tags = {t.lower() for t in re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)", rendered)}
    assert tags <= {"p", "strong", "em", "a", "code", "br"}


def test_variables_are_substituted_escaped_and_cannot_add_markup_or_links():
    values = {"name": "**张三** <b>", "unit": {"name": "[链接](https://evil.cn)"}, "n": 3, "tags": ["a", "b"]}

    html = render_markdown("申请人 {{ name }}，单位 {{unit.name}}，共 {{ n }} 项：{{ tags }}，{{ missing }}", values)

    assert html == ("<p>申请人 **张三** &lt;b&gt;，单位 [链接](https://evil.cn)，共 3 项：a, b，</p>")


def test_private_use_markers_in_the_source_cannot_reach_other_values():
    assert render_markdown("\ue0000\ue001 {{ a }}", {"a": "x"}) == "<p>0 x</p>"


def test_template_detection():
    assert not has_unsupported_template("{{ a }} {{a.b_c}}")
    assert has_unsupported_template("{{#if a}}x{{/if}}")
    assert has_unsupported_template("{{ a + 1 }}")
    assert has_unsupported_template("}}")


def test_form_schema_json_is_the_form_unchanged():
    definition = fd.form("json", fd.component("textfield", "a", "名称"))

    assert form_schema_json(definition) == json.loads(json.dumps(definition.raw))
    assert form_schema_json(definition) is not definition.raw


def test_form_schema_json_resolves_values_key_without_touching_the_definition():
    definition = fd.form("json", fd.component("group", None, "G", components=[
        fd.component("select", "region", "区", valuesKey="regions"),
        fd.component("checklist", "other", "其他", valuesKey="absent")]))
    task = {"regions": [{"label": "黄浦区", "value": "huangpu"}, "pudong", {"bad": 1}], "unrelated": 1}

    options = options_from_data(definition, task)
    document = form_schema_json(definition, options=options)

    assert options == {"regions": task["regions"]}
    region, other = document["components"][0]["components"]
    assert region["values"] == [{"label": "黄浦区", "value": "huangpu"}, {"label": "pudong", "value": "pudong"}]
    assert region["valuesKey"] == "regions"
    assert "values" not in other
    assert "values" not in definition.raw["components"][0]["components"][0]
