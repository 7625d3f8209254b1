"""The page in a real browser: headless Chromium (Debian's chromium and
chromium-driver, driven by selenium) asks a question, waits for the boxes,
checks what a user sees and saves a screenshot."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import serving

selenium = pytest.importorskip("selenium", reason="python3-selenium is not installed (.ci/install-deps installs it)")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service as DriverService  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM or not os.access(CHROMEDRIVER, os.X_OK):
        pytest.skip("chromium and chromium-driver are not installed (.ci/install-deps installs them)")
    profile = tempfile.mkdtemp(prefix="askalike-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=DriverService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(corpus_db):
    with serving(corpus_db) as s:
        yield s


def ask(driver, site, question: str) -> list:
    driver.get(site.url + "/")
    box = driver.find_element(By.ID, "question")
    box.clear()
    box.send_keys(question)
    driver.find_element(By.ID, "ask").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#hits li.hit"))
    return driver.find_elements(By.CSS_SELECTOR, "#hits li.hit")


def no_alert(driver) -> bool:
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def test_no_empty_boxes_before_a_question(browser, site):
    browser.get(site.url + "/")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "question"))
    assert not browser.find_element(By.ID, "results").is_displayed()
    assert not [b for b in browser.find_elements(By.CSS_SELECTOR, ".box") if b.is_displayed()]
    ask(browser, site, "twitching eyelid")
    assert browser.find_element(By.ID, "results").is_displayed()


def test_asking_fills_the_similar_and_related_boxes(browser, site):
    hits = ask(browser, site, "My child has a high fever and a red rash on his chest. Should I worry?")
    assert len(hits) == 10
    assert all(h.find_element(By.CSS_SELECTOR, ".hit-title").text for h in hits)
    marks = {m.text.lower() for m in browser.find_elements(By.CSS_SELECTOR, "#hits .hit-question mark, #hits .hit-answer mark")}
    assert "fever" in marks and "rash" in marks
    assert hits[0].find_element(By.CSS_SELECTOR, ".dept").text  # the department
    assert "% match" in hits[0].find_element(By.CSS_SELECTOR, ".confidence").text
    topics = browser.find_elements(By.CSS_SELECTOR, "#topics li")
    assert topics and "(" in topics[0].text  # "Topic (Department)"
    assert browser.find_elements(By.CSS_SELECTOR, "#categories li")
    assert "matching records" in browser.find_element(By.ID, "status").text
    artifacts = Path(os.environ.get("ASKALIKE_SERVE_ARTIFACTS") or tempfile.gettempdir())
    shot = artifacts / "serve-page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10000


def test_a_hit_opens_its_record_page_with_its_own_similar_questions(browser, site):
    hits = ask(browser, site, "my left cheek twitches when I sleep, is it a stroke?")
    hits[0].find_element(By.CSS_SELECTOR, ".hit-title").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#record-view h1"))
    assert browser.find_element(By.CSS_SELECTOR, "#record-view h1").text == "Facial twitching during sleep"
    reply = browser.find_element(By.CSS_SELECTOR, "#record-view .reply-head").text
    assert "Dr. Ye reply" in reply and "Neurology" in reply
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#hits li.hit"))
    ids = [h.get_attribute("data-id") for h in browser.find_elements(By.CSS_SELECTOR, "#hits li.hit")]
    assert ids[0] == "twitch-2" and "twitch" not in ids
    artifacts = Path(os.environ.get("ASKALIKE_SERVE_ARTIFACTS") or tempfile.gettempdir())
    browser.save_screenshot(str(artifacts / "serve-record.png"))


def test_record_text_is_shown_as_text_never_run(browser, site):
    hits = ask(browser, site, "twitching eyelid bold question")
    titles = [h.find_element(By.CSS_SELECTOR, ".hit-title").text for h in hits]
    assert "<script>alert(1)</script>" in titles
    assert no_alert(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "#hits img, #hits b, #hits i, #hits script")
    browser.get(site.url + "/?id=xss")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#record-view h1"))
    assert browser.find_element(By.CSS_SELECTOR, "#record-view h1").text == "<script>alert(1)</script>"
    assert "<img src=x onerror=alert(2)>" in browser.find_element(By.CSS_SELECTOR, "#record-view .question").text
    assert "</p><script>alert(3)</script>" in browser.find_element(By.CSS_SELECTOR, "#record-view .answer").text
    assert no_alert(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "#record-view img, #record-view script, #record-view b")
