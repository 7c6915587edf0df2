"""Comment Markdown: exact HTML for what people write, and nothing dangerous getting through."""

from __future__ import annotations

import pytest

from paperfeed.community.discussion.markdown import render_markdown

REL = 'rel="nofollow noopener noreferrer ugc"'


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("Hello *world* and **bold**", "<p>Hello <em>world</em> and <strong>bold</strong></p>"),
        ("Use `x_1 * y` here", "<p>Use <code>x_1 * y</code> here</p>"),
        ("```\nfor i in x:\n    pass\n```", "<pre><code>for i in x:\n    pass\n</code></pre>"),
        ("~~wrong~~ right", "<p><s>wrong</s> right</p>"),
        ("> outer\n>> inner", "<blockquote>\n<p>outer</p>\n<blockquote>\n<p>inner</p>\n</blockquote>\n</blockquote>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("# Big\n## Less", "<h3>Big</h3>\n<h4>Less</h4>"),
        ("| a | b |\n|---|--:|\n| 1 | 2 |",
         "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n"
         "</tr>\n</tbody>\n</table>"),
    ],
)
def test_markdown(source, html):
    assert render_markdown(source) == html


def test_links_get_rel_and_bare_urls_become_links():
    assert render_markdown("[site](https://example.org/a?b=1&c=2) and https://example.org/x.") == (
        f'<p><a href="https://example.org/a?b=1&amp;c=2" {REL}>site</a> and '
        f'<a href="https://example.org/x" {REL}>https://example.org/x</a>.</p>'
    )
    assert render_markdown("[mail](mailto:ada@example.org)") == f'<p><a href="mailto:ada@example.org" {REL}>mail</a></p>'


def test_math_survives_markdown_untouched():
    # Underscores and asterisks of TeX are not emphasis; < > & are escaped for HTML only.
    assert render_markdown("Let $a_1 * b_2 = c_{*}$ and $x < y \\& z > w$, *really*.") == (
        '<p>Let <span class="math">$a_1 * b_2 = c_{*}$</span> and '
        '<span class="math">$x &lt; y \\&amp; z &gt; w$</span>, <em>really</em>.</p>'
    )
    assert render_markdown("$$\\sum_{i=1}^n x_i^2$$") == '<div class="math math-display">$$\\sum_{i=1}^n x_i^2$$</div>'
    assert render_markdown("so $$a_1$$ inline") == '<p>so <span class="math math-display">$$a_1$$</span> inline</p>'
    # A display formula over several lines, with a line that would otherwise be a list item.
    assert render_markdown("$$\n\\int_0^1 f\n- a_1\n$$\nafter") == (
        '<div class="math math-display">$$\\int_0^1 f\n- a_1$$</div>\n<p>after</p>'
    )


def test_dollars_that_are_not_math():
    assert render_markdown("It costs $5 and $10; a $ sign; \\$x\\$") == "<p>It costs $5 and $10; a $ sign; $x$</p>"
    assert render_markdown("`$x_1$` stays code") == "<p><code>$x_1$</code> stays code</p>"


def test_arxiv_mentions_link_to_paper_pages():
    assert render_markdown("See 2412.13148, arXiv:2412.13148v2 and hep-th/9901001.") == (
        f'<p>See <a href="/papers/2412.13148" {REL}>2412.13148</a>, '
        f'<a href="/papers/2412.13148" {REL}>arXiv:2412.13148v2</a> and '
        f'<a href="/papers/hep-th/9901001" {REL}>hep-th/9901001</a>.</p>'
    )


def test_arxiv_mentions_are_left_alone_in_code_links_and_numbers():
    assert render_markdown("`2412.13148` and\n\n    2412.13148") == (
        "<p><code>2412.13148</code> and</p>\n<pre><code>2412.13148\n</code></pre>"
    )
    assert render_markdown("[2412.13148](https://example.org/p)") == (
        f'<p><a href="https://example.org/p" {REL}>2412.13148</a></p>'
    )
    assert render_markdown("https://arxiv.org/abs/2412.13148") == (
        f'<p><a href="https://arxiv.org/abs/2412.13148" {REL}>https://arxiv.org/abs/2412.13148</a></p>'
    )
    # Not ids: an impossible month, a plain decimal, a version-like number inside a word.
    assert render_markdown("1234.5678, 3.14159 and x2412.13148") == "<p>1234.5678, 3.14159 and x2412.13148</p>"


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ('<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror="alert(1)"&gt;</p>'),
        ("[click](javascript:alert(1))", "<p>[click](javascript&#58;alert(1))</p>"),
        ("[click](JaVaScRiPt:alert(1))", "<p>[click](JaVaScRiPt&#58;alert(1))</p>"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data&#58;text/html;base64,PHNjcmlwdD4=)</p>"),
        ("<javascript:alert(1)>", "<p>&lt;javascript&#58;alert(1)&gt;</p>"),
        ("![pixel](https://tracker.example/p.gif)", f'<p>!<a href="https://tracker.example/p.gif" {REL}>pixel</a></p>'),
        ('[t](https://example.org "a\\" onmouseover=\\"x")',
         f'<p><a href="https://example.org" title="a&quot; onmouseover=&quot;x" {REL}>t</a></p>'),
        ("$</span><script>alert(1)</script>$",
         '<p><span class="math">$&lt;/span&gt;&lt;script&gt;alert(1)&lt;/script&gt;$</span></p>'),
    ],
)
def test_hostile_input_is_inert(source, html):
    assert render_markdown(source) == html
