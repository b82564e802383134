"""The dashboard in headless Chromium against a real service process, and its exports over HTTP.

Screenshots are saved under artefacts/e2e/ for a person to look at."""

from __future__ import annotations

import csv
import re
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from service import directory
from tests.e2e.conftest import HOSTILE, Served, demo_json

expect = pytest.importorskip("playwright.sync_api").expect
CHINESE_NEED = "我们在哈萨克斯坦的光伏电站EPC合同发生争议，需要会俄语的仲裁律师"


@pytest.fixture
def page(browser: Any, served: Served) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.problems = []  # console errors and uncaught exceptions, however the page came by them
    page.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("dialog", lambda dialog: (page.problems.append("dialog: " + dialog.message), dialog.dismiss()))
    yield page
    context.close()


def _open(page: Any, served: Served, key: bool = True) -> None:
    page.goto(served.url + "/dashboard")
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    if key:
        page.fill("#api-key", served.bureau_key)
        page.click("#key-form button[type=submit]")
        page.wait_for_selector("#heatmap rect.cell", timeout=60_000)


def test_heatmap_search_and_language_switch(page: Any, served: Served, artefacts: Path) -> None:
    _open(page, served)
    assert page.inner_text("h1") == "涉外律师供需看板"
    # the heatmap holds the demand posted: Kazakhstan x international arbitration has a gap
    gaps = page.eval_on_selector_all("#heatmap rect.cell", "cells => cells.map(c => [c.dataset.country, c.dataset.area, Number(c.dataset.gap)])")
    assert len(gaps) >= 19 and any(gap > 0 for _, _, gap in gaps)
    assert any(country == "VN" and area == "labor_employment" and gap > 0 for country, area, gap in gaps)
    assert "哈萨克斯坦" in page.text_content("#heatmap") and page.locator("#gaps tbody tr").count() > 0
    assert page.locator("#trend rect.bar").count() == 24
    page.screenshot(path=str(artefacts / "1-heatmap-zh.png"), full_page=True)

    page.fill("#need", CHINESE_NEED)
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#results li.result", timeout=60_000)
    results = page.locator("#results li.result")
    assert results.count() >= 3
    first = results.nth(0)
    reasons = first.locator("ul.reasons li").all_inner_texts()
    assert any("哈萨克斯坦" in reason for reason in reasons), reasons
    assert first.locator("blockquote.evidence").count() == 1
    page.screenshot(path=str(artefacts / "2-search-zh.png"), full_page=True)

    page.click("#lang-switch")
    # (expect() polls natively: wait_for_function's string predicates are eval, which the page's CSP forbids)
    expect(page.locator("h1")).to_have_text(re.compile("^Foreign-related"))
    expect(page.locator("#heatmap")).to_contain_text("Kazakhstan", timeout=60_000)
    expect(page.locator("#results ul.reasons li", has_text="Kazakhstan").first).to_be_visible(timeout=60_000)
    assert page.inner_text("#search-h") == "Find lawyers for a need"
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#gaps thead") .startswith("#") and "Gap score" in page.inner_text("#gaps thead")
    expect(page.locator("#dir-state")).to_contain_text("lawyers")
    assert "Kazakhstan" in page.inner_text("#dir-table") or page.locator("#dir-table tbody tr").count() == 20
    page.screenshot(path=str(artefacts / "3-english.png"), full_page=True)
    assert page.problems == []


def test_directory_filters_and_exports_in_the_page(page: Any, served: Served, artefacts: Path) -> None:
    _open(page, served, key=False)  # the directory needs no key
    assert "需要商务局或管理员密钥" in page.inner_text("#supply-state")
    page.select_option("#dir-form select[name=country]", "TH")
    page.click("#dir-form button[type=submit]")
    expect(page.locator("#dir-state")).to_contain_text("位律师")
    expect(page.locator("#dir-table tbody tr").first).to_contain_text("泰国")
    served_th = page.locator("#dir-table tbody tr td:nth-child(4)").all_inner_texts()
    assert served_th and all("泰国" in text for text in served_th)
    assert "country=TH" in page.get_attribute("#export-csv", "href") and "format=xlsx" in page.get_attribute("#export-xlsx", "href")
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) >= len(served_th) and all("TH" in row["countries"].split("; ") for row in rows)
    page.select_option("#dir-form select[name=country]", "")
    page.click("#dir-form button[type=submit]")
    expect(page.locator("#dir-next")).to_be_enabled()
    page.click("#dir-next")
    expect(page.locator("#dir-prev")).to_be_enabled()
    page.screenshot(path=str(artefacts / "4-directory.png"), full_page=True)
    assert page.problems == []


def test_markup_in_a_profile_is_shown_as_text(page: Any, served: Served) -> None:
    _open(page, served, key=False)
    page.fill("#dir-form input[name=city]", "xss city")
    page.click("#dir-form button[type=submit]")
    expect(page.locator("#dir-table tbody tr")).to_have_count(1)
    cells = page.locator("#dir-table tbody tr td").all_inner_texts()
    assert cells[0] == HOSTILE["name"] and cells[1] == HOSTILE["firm"]
    assert page.locator("#dir-table img, #dir-table script, #dir-table svg").count() == 0
    page.click("#lang-switch")
    expect(page.locator("#dir-table tbody tr td").first).to_have_text(HOSTILE["name_en"])
    assert page.problems == []


def test_keyboard_and_tablet(page: Any, served: Served, artefacts: Path) -> None:
    page.set_viewport_size({"width": 768, "height": 1024})
    _open(page, served, key=False)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "api-key"
    page.keyboard.type(served.bureau_key)
    page.keyboard.press("Enter")
    page.wait_for_selector("#heatmap rect.cell", timeout=60_000)
    # the cells with demand are reachable by keyboard, each with what it shows
    with_demand = page.locator("#heatmap rect.cell[tabindex='0']")
    assert with_demand.count() >= 3
    with_demand.first.focus()
    assert "需求" in (page.evaluate("document.activeElement.getAttribute('aria-label')") or "")
    # every control has a label a screen reader reads
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input, select, textarea')].filter(e => !(e.labels && e.labels.length)).map(e => e.name || e.id)"
    )
    assert unlabelled == []
    # nothing but the heatmap and the tables scroll sideways on a tablet
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(artefacts / "5-tablet.png"), full_page=True)
    assert page.problems == []


def test_page_headers_keep_the_key_safe(served: Served) -> None:
    answer = httpx.get(served.url + "/dashboard")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "http" not in answer.text.replace("http-equiv", "")  # no other host, no CDN
    assert httpx.get(served.url + "/dashboard/assets/..%2Fstatic%2Findex.html").status_code == 404


def test_exports_agree_with_the_json_and_carry_no_contact_data(served: Served) -> None:
    with httpx.Client(base_url=served.url, timeout=120) as http:
        items: list[dict[str, Any]] = []
        after = 0
        while True:
            page = http.get("/v1/lawyers", params={"lang": "zh", "limit": 100, "after": after}).json()
            items += page["items"]
            if page["next_after"] is None:
                break
            after = page["next_after"]
        as_csv = http.get("/v1/lawyers", params={"lang": "zh", "format": "csv"})
        as_xlsx = http.get("/v1/lawyers", params={"lang": "zh", "format": "xlsx"})
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    header, *cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert len(items) == len(rows) == len(cells) > 200
    for item, row, cell_row in zip(items, rows, cells, strict=True):
        expected = directory.export_row(item)
        # a CSV cell a spreadsheet would run as a formula keeps a leading apostrophe; the XLSX holds text
        assert row == {k: directory.inert(v) for k, v in expected.items()} and dict(zip(header, cell_row, strict=True)) == expected
    secrets_ = {str(r.get(k)) for r in demo_json() for k in ("email", "phone", "license_no") if r.get(k)}
    texts = {"json": str(items), "csv": as_csv.content.decode("utf-8-sig"), "xlsx": str(cells)}
    for what, text in texts.items():
        leaked = [s for s in secrets_ if s in text]
        assert not leaked, (what, leaked[:3])
