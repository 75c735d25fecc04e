"""``rlsmodel explore`` in a real browser: headless Debian Chromium driven by Playwright.

Starts the server on a free port as a subprocess, opens the page, checks every view
renders, moves the drug and iron controls and reads the plotted numbers back from the
page's ``#explore-data`` JSON, checks a dose above the documented maximum shows the
package's message while the previous plots stay, and saves screenshots (and the measured
update latencies) under ``tests/artifacts/``.

Skipped only when Playwright or a Chromium binary is missing (install Debian's
``chromium`` package and ``pip install playwright``; Playwright's own browser download
is not used). CI (``.ci/run``) installs Chromium and sets ``RLSMODEL_REQUIRE_BROWSER=1``:
then a missing browser, Playwright or Panel fails these tests instead of skipping them.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

import pytest

from _browser import ARTIFACTS, CHROMIUM_ARGS, free_port as _free_port, need as _need, require_chromium

_need("panel", "the explorer needs Panel (pip install 'rlsmodel[explore]')")
sync_api = _need("playwright.sync_api", "needs Playwright (pip install playwright; browser: Debian chromium)")

STARTUP_TIMEOUT_S = 150
RUN_TIMEOUT_S = 45


@pytest.fixture(scope="module")
def server():
    """``rlsmodel explore --port P --no-browser`` running; yields its printed address."""
    require_chromium()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rlsmodel", "explore", "--port", str(port), "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines, url = [], None
    found = threading.Event()

    def read():
        nonlocal url
        for line in proc.stdout:
            lines.append(line)
            if url is None and "http://" in line and "open " in line:
                url = line[line.index("http://"):].split()[0]
                found.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not found.wait(STARTUP_TIMEOUT_S):
            pytest.fail("the explorer did not print its address in time:\n" + "".join(lines))
        assert url.endswith(f":{port}/"), url
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="module")
def page(server):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto(server, timeout=60_000)
        pg.wait_for_selector("#explore-data", state="attached", timeout=60_000)
        yield pg
        browser.close()


def data(pg) -> dict:
    return json.loads(pg.locator("#explore-data").text_content())


def wait_for(pg, predicate, what, timeout=RUN_TIMEOUT_S) -> dict:
    """Poll the page's JSON until ``predicate(data)`` holds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = data(pg)
        if predicate(d):
            return d
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}; last settings {data(pg)['settings']}")


def set_input(pg, control, value):
    box = pg.locator(f".ctl-{control} input").first
    box.fill(str(value))
    box.press("Enter")


def select(pg, control, label):
    pg.locator(f".ctl-{control} select").select_option(label=label)


def settled(**expected):
    return lambda d: d["status"] == "ok" and all(
        (d["settings"][k] == v if not isinstance(v, float) else abs(d["settings"][k] - v) < 1e-9)
        for k, v in expected.items())


def test_every_view_renders(page):
    tabs = {"day": "A day", "iron": "Iron: blood to brain", "dopamine": "Dopamine",
            "transmitters": "Adenosine and glutamate", "augmentation": "Augmentation", "schematic": "Schematic"}
    d = data(page)
    assert set(d["views"]) == set(tabs)
    for name, title in tabs.items():
        page.locator(".bk-tab", has_text=title).click()
        page.locator(f".view-{name} canvas").first.wait_for(state="visible", timeout=30_000)
        page.wait_for_timeout(600)
        assert page.locator(f".notice-{name} div").first.inner_text().startswith("What to notice")
        page.screenshot(path=str(ARTIFACTS / f"explore-{name}.png"), full_page=True)
    page.locator(".bk-tab", has_text="A day").click()


def test_drug_and_iron_controls_change_the_plotted_data(page):
    from rlsmodel.pharmacology import DRUGS
    latencies = []
    # untreated reference
    select(page, "drug", "none (untreated)")
    untreated = wait_for(page, settled(drug=None), "the untreated run")
    u_day = untreated["views"]["day"]["days"]
    assert set(u_day) == {"untreated"}
    baseline_onset = u_day["untreated"]["onset_hour"]
    assert baseline_onset is not None, "the default profile should have evening symptoms"

    # levodopa at the documented maximum, taken at 18:00, for a year
    select(page, "drug", DRUGS["levodopa"].long_name)
    set_input(page, "clock-hour", 18)
    set_input(page, "dose-mg", 200)
    treated = wait_for(page, settled(drug="levodopa", dose_mg=200.0, clock_hour=18.0, treatment_days=365),
                       "the levodopa run")
    latencies.append(("levodopa 200 mg", treated["timing"]))
    days = treated["views"]["day"]["days"]
    assert {"untreated", "early", "late"} <= set(days)
    assert days["late"]["day"] > days["early"]["day"] + 300
    late_onset, early_onset = days["late"]["onset_hour"], days["early"]["onset_hour"]
    # taken at 18:00 the drug first pushes the onset past its untreated hour (23.1 h at week 4),
    # then augmentation draws it earlier over the year (21.5 h at week 47; since decision 55's
    # threshold 2.3 it stays just after the untreated 21.0 h within the year at this clock hour)
    assert late_onset is not None and early_onset is not None and late_onset < early_onset - 0.5, \
        f"over months on levodopa the symptom onset should come earlier ({early_onset} -> {late_onset} h)"
    assert days["late"]["urge"] != days["untreated"]["urge"]
    aug = treated["views"]["augmentation"]
    assert aug["late_irls"] != pytest.approx(untreated["views"]["augmentation"]["late_irls"])
    level = treated["views"]["dopamine"]["drug"]
    assert level is not None and max(v for v in level["daily_max"] if v is not None) > 0
    page.screenshot(path=str(ARTIFACTS / "explore-levodopa-day.png"), full_page=True)

    # iron: a stronger blood-brain barrier raises brain iron and CSF ferritin
    before = treated["views"]["iron"]["variables"]
    set_input(page, "bbb-uptake-gain", 1.5)
    iron = wait_for(page, settled(bbb_uptake_gain=1.5, drug="levodopa"), "the BBB gain run")
    latencies.append(("BBB uptake gain 1.5", iron["timing"]))
    after = iron["views"]["iron"]["variables"]
    assert after["bbb_iron_flux"]["final"] > before["bbb_iron_flux"]["final"]
    assert after["csf_ferritin"]["final"] > before["csf_ferritin"]["final"]
    assert after["serum_ferritin"]["final"] == pytest.approx(before["serum_ferritin"]["final"], rel=0.05)

    # less dietary iron and blood loss lower serum ferritin
    set_input(page, "diet-iron", 6)
    set_input(page, "blood-loss", 10)
    poor = wait_for(page, settled(diet_iron=6.0, blood_loss=10.0), "the iron-poor run")
    latencies.append(("diet 6 mg/day, blood loss 10 mL/day", poor["timing"]))
    assert poor["views"]["iron"]["variables"]["serum_ferritin"]["final"] < after["serum_ferritin"]["final"]
    (ARTIFACTS / "explore-latency.json").write_text(json.dumps(latencies, indent=1))
    for label, timing in latencies:
        print(f"update latency ({label}): {timing.get('update_s')} s from the change to updated views "
              f"(simulation {timing.get('run_s')} s)")


def test_a_dose_above_the_maximum_shows_the_package_message_and_keeps_the_plots(page):
    from rlsmodel.pharmacology import DRUGS
    select(page, "drug", DRUGS["pramipexole"].long_name)
    ok = wait_for(page, settled(drug="pramipexole"), "the pramipexole run")
    run_id = ok["run_id"]
    canvases = page.locator("canvas").count()
    set_input(page, "dose-mg", 5)                           # documented maximum: 0.75 mg
    error = page.locator(".explore-error div").first
    error.wait_for(state="visible", timeout=RUN_TIMEOUT_S * 1000)
    text = error.inner_text()
    assert "exceeds the documented maximum daily dose" in text and "pramipexole" in text
    assert "Traceback" not in text
    page.wait_for_timeout(500)
    assert data(page)["run_id"] == run_id                  # the previous result is still the one shown
    assert data(page)["settings"]["dose_mg"] == ok["settings"]["dose_mg"]
    assert page.locator("canvas").count() >= canvases > 0
    page.screenshot(path=str(ARTIFACTS / "explore-error.png"), full_page=True)
    # no restart needed: a valid dose runs again and clears the message
    set_input(page, "dose-mg", 0.25)
    wait_for(page, lambda d: d["run_id"] > run_id and d["settings"]["dose_mg"] == 0.25, "the recovery run")
    page.locator(".explore-error").first.wait_for(state="hidden", timeout=10_000)


def test_the_adenosine_glutamate_view_follows_iron_and_the_drugs_outside_dopamine(page):
    """The adenosine/glutamate module (issue 28): dipyridamole raises the adenosine tone and
    lowers excitability, pregabalin lowers excitability, oxycodone-naloxone (acting on the urge
    downstream) leaves them alone, and less iron lowers the A1 receptors."""
    from rlsmodel.pharmacology import DRUGS

    def final(d, name):
        return d["views"]["transmitters"]["variables"][name]["final"]

    select(page, "drug", "none (untreated)")
    untreated = wait_for(page, settled(drug=None), "the untreated run")
    assert {"a1_receptor_density", "adenosine_tone", "glutamate_release", "excitability"} <= \
        set(untreated["views"]["transmitters"]["variables"])
    runs = {}
    for drug in ("dipyridamole", "pregabalin", "oxycodone_naloxone"):
        select(page, "drug", DRUGS[drug].long_name)
        runs[drug] = wait_for(page, settled(drug=drug), f"the {drug} run")
    page.locator(".bk-tab", has_text="Adenosine and glutamate").click()
    page.locator(".view-transmitters canvas").first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "explore-transmitters-opioid.png"), full_page=True)
    page.locator(".bk-tab", has_text="A day").click()
    assert final(runs["dipyridamole"], "adenosine_tone") > 1.1 * final(untreated, "adenosine_tone")
    assert final(runs["dipyridamole"], "excitability") < 0.95 * final(untreated, "excitability")
    assert final(runs["pregabalin"], "excitability") < 0.95 * final(untreated, "excitability")
    oxy = runs["oxycodone_naloxone"]
    for name in ("a1_receptor_density", "adenosine_tone", "excitability"):
        assert final(oxy, name) == pytest.approx(final(untreated, name), rel=1e-3), name

    # less iron in, more lost: fewer A1 receptors, more excitability
    select(page, "drug", "none (untreated)")
    set_input(page, "diet-iron", 2)
    set_input(page, "blood-loss", 20)
    poor = wait_for(page, settled(drug=None, diet_iron=2.0, blood_loss=20.0), "the iron-poor untreated run")
    assert final(poor, "a1_receptor_density") < final(untreated, "a1_receptor_density")
    assert final(poor, "excitability") > final(untreated, "excitability")


def test_a_long_run_shows_progress(page):
    set_input(page, "treatment-days", 1400)
    bar = page.locator("progress.explore-progress")
    bar.wait_for(state="visible", timeout=RUN_TIMEOUT_S * 1000)
    page.screenshot(path=str(ARTIFACTS / "explore-progress.png"))
    d = wait_for(page, settled(treatment_days=1400), "the long run", timeout=90)
    assert d["views"]["iron"]["month"][-1] > 40
    bar.wait_for(state="hidden", timeout=10_000)
