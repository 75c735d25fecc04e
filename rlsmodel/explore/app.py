"""The explorer page: controls on the left, one tab per view, status and errors on top.

A control change starts a run after a short debounce (a dragged slider gives one run,
not twenty). The simulation runs in a worker thread so the page keeps answering and a
long run can report progress; when it finishes, the views are updated in place. If the
settings are refused (for example a dose above the documented maximum) or the integration
fails, the package's own message appears in a red box and the previous result stays on
screen; the next valid change clears it. The numbers each view plots are published as
JSON in a hidden ``<pre id="explore-data">`` element for tests and curious users.
"""
from __future__ import annotations

import asyncio
import html
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import panel as pn

from ..integrate import IntegrationError
from . import runs
from .controls import DEFAULTS, Controls
from .schematic import SchematicView
from .views import NOTICE, AugmentationView, DayView, DopamineView, IronView, TransmitterView

#: View name -> (tab title, view class).
VIEWS = {
    "day": ("A day", DayView),
    "iron": ("Iron: blood to brain", IronView),
    "dopamine": ("Dopamine", DopamineView),
    "transmitters": ("Adenosine and glutamate", TransmitterView),
    "augmentation": ("Augmentation", AugmentationView),
    "schematic": ("Schematic", SchematicView),
}
DEBOUNCE_S = 0.05
#: One simulation at a time for the whole server: the latest request's result is the one shown.
_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rlsmodel-explore")
_DEFAULT = {}
_DEFAULT_LOCK = threading.Lock()


def compute(settings: runs.Settings, progress=None):
    """Run ``settings`` and extract every view's data: (result, {view: data})."""
    result = runs.run(settings, progress)
    t = time.perf_counter()
    data = {}
    for name, (_, cls) in VIEWS.items():
        data[name] = cls.data(result)
    result.timings["view_data_s"] = time.perf_counter() - t
    return result, data


def default_result():
    """The result of :data:`~rlsmodel.explore.controls.DEFAULTS` (computed once per process)."""
    with _DEFAULT_LOCK:
        if "value" not in _DEFAULT:
            _DEFAULT["value"] = compute(DEFAULTS)
        return _DEFAULT["value"]


def _public(data: dict) -> dict:
    """View data without private (non-JSON) entries."""
    return {k: v for k, v in data.items() if not k.startswith("_")}


class Explorer:
    """One browser session's page."""

    def __init__(self):
        self.controls = Controls(DEFAULTS)
        self.doc = pn.state.curdoc
        self.generation = 0
        self.run_id = 0
        self.last_timing = {}
        self.error = pn.pane.Alert("", alert_type="danger", visible=False, css_classes=["explore-error"],
                                   sizing_mode="stretch_width")
        self.status = pn.pane.Markdown("", css_classes=["explore-status"], sizing_mode="stretch_width",
                                       styles={"font-size": "0.9em", "color": "#444"})
        self.progress = pn.indicators.Progress(value=0, max=100, visible=False, sizing_mode="stretch_width",
                                               css_classes=["explore-progress"], height=14)
        self.data_pane = pn.pane.HTML("", css_classes=["explore-data-holder"], height=0, margin=0)
        result, data = default_result()
        self.views = {name: cls(result, data[name]) for name, (_, cls) in VIEWS.items()}
        self.panes = {name: pn.pane.Bokeh(v.layout, sizing_mode="stretch_width")
                      for name, v in self.views.items()}
        tabs = []
        for name, (title, _) in VIEWS.items():
            tabs.append((title, pn.Column(
                pn.pane.Markdown(f"**What to notice:** {NOTICE[name]}", css_classes=[f"notice-{name}"],
                                 sizing_mode="stretch_width"),
                self.panes[name], sizing_mode="stretch_width", css_classes=[f"view-{name}"])))
        self.tabs = pn.Tabs(*tabs, dynamic=True, sizing_mode="stretch_width", css_classes=["explore-tabs"])
        self._publish(result, data, status="ok")
        for widget in self.controls.watched:
            widget.param.watch(self._changed, "value")
        header = pn.pane.Markdown(
            "## rlsmodel explorer: restless legs syndrome, from blood iron to the evening urge to move",
            sizing_mode="stretch_width")
        self.layout = pn.Column(
            header,
            pn.Row(self.controls.panel,
                   pn.Column(self.error, self.status, self.progress, self.tabs, self.data_pane,
                             sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )

    # -- publishing ------------------------------------------------------------------------------
    def _publish(self, result, data, status):
        self.run_id += 1
        s = result.settings
        payload = {
            "run_id": self.run_id, "status": status, "settings": s.as_dict(),
            "timing": {**{k: round(v, 4) for k, v in result.timings.items()}, **self.last_timing},
            "views": {name: _public(d) for name, d in data.items()},
        }
        self.data_pane.object = (f'<pre id="explore-data" data-run-id="{self.run_id}" data-status="{status}" '
                                 f'style="display:none">{html.escape(json.dumps(payload))}</pre>')
        drug = "untreated" if s.drug is None else f"{s.drug} {s.dose_mg:g} mg at {s.clock_hour:05.2f} h"
        t = (result.timings.get("total_s", 0.0) - result.timings.get("model_s", 0.0)
             + result.timings.get("view_data_s", 0.0))
        self.status.object = (f"Run {self.run_id}: {s.profile}, {drug}, {s.days} days "
                              f"({s.mechanism}); computed in {t:.2f} s"
                              + (f", page updated {self.last_timing['update_s']:.2f} s after the change"
                                 if "update_s" in self.last_timing else ""))

    # -- reacting to controls ---------------------------------------------------------------------
    async def _changed(self, *events):
        t_event = time.perf_counter()
        self.generation += 1
        generation = self.generation
        await asyncio.sleep(DEBOUNCE_S)
        if generation != self.generation:
            return                                   # a newer change supersedes this one
        settings = self.controls.settings()
        loop = asyncio.get_running_loop()
        long_run = runs.is_chunked(settings)

        def progress(fraction, message):
            loop.call_soon_threadsafe(self._progress, generation, fraction, message)

        if long_run:
            self.progress.value, self.progress.visible = 0, True
        self.status.object = f"Simulating {settings.days} days..."
        try:
            result, data = await loop.run_in_executor(_EXECUTOR, compute, settings, progress)
        except (ValueError, IntegrationError) as exc:
            if generation == self.generation:
                self._fail(str(exc))
            return
        except Exception as exc:                      # never leave the page broken
            if generation == self.generation:
                self._fail(f"unexpected error ({type(exc).__name__}): {exc}")
            return
        if generation != self.generation:
            return
        # Bokeh models may only change under the session's document lock: apply on the next tick
        if self.doc is not None:
            self.doc.add_next_tick_callback(partial(self._apply, generation, result, data, t_event))
        else:
            self._apply(generation, result, data, t_event)

    def _apply(self, generation, result, data, t_event):
        """Put a finished run into the views (in place when their structure is unchanged)."""
        if generation != self.generation:
            return
        t_apply = time.perf_counter()
        for name, (_, cls) in VIEWS.items():
            view = self.views[name]
            if cls.structure(result) != view.key:
                self.views[name] = cls(result, data[name])
                self.panes[name].object = self.views[name].layout
            else:
                view.update(result, data[name])
        self.error.visible = False
        self.progress.visible = False
        now = time.perf_counter()
        self.last_timing = {"apply_s": round(now - t_apply, 4), "update_s": round(now - t_event, 4)}
        self._publish(result, data, status="ok")

    def _progress(self, generation, fraction, message):
        if generation != self.generation:
            return
        self.progress.value = int(round(100 * max(0.0, min(1.0, fraction))))
        self.status.object = message + "..."

    def _fail(self, message):
        self.error.object = f"**Not simulated:** {html.escape(message)}  \nThe plots still show the previous run."
        self.error.visible = True
        self.progress.visible = False
        self.status.object = f"Run {self.run_id} shown (the last change was refused)."


def create_app():
    """A new page (one per browser session)."""
    return Explorer().layout


def free_port(address: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``address`` right now."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def serve(port: int = 5006, open_browser: bool = True, address: str = "127.0.0.1") -> None:
    """Build the model, start the server on ``address:port`` (0: a free port), print the
    address and serve until interrupted."""
    print("rlsmodel explore: building the model and the default run...", flush=True)
    t = time.perf_counter()
    default_result()
    print(f"rlsmodel explore: ready in {time.perf_counter() - t:.1f} s", flush=True)
    if not port:
        port = free_port(address)
    origins = [f"localhost:{port}", f"127.0.0.1:{port}"]
    server = pn.serve({"/": create_app}, port=port, address=address, show=False, start=False,
                      websocket_origin=origins, title="rlsmodel explorer")
    url = f"http://{'localhost' if address in ('127.0.0.1', 'localhost') else address}:{server.port}/"
    print(f"rlsmodel explore: open {url} in a browser (Ctrl+C stops the server)", flush=True)
    sys.stdout.flush()
    if open_browser:
        server.io_loop.add_callback(server.show, "/")
    server.start()
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        print("rlsmodel explore: stopped", flush=True)
