"""Helpers shared by the benchmark scripts."""
from __future__ import annotations

import threading
import time

import psutil


class PeakRSS(threading.Thread):
    """Samples the resident memory of this process and its children every 50 ms; keeps the peak."""

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = 0
        self.running = True

    def run(self) -> None:
        me = psutil.Process()
        while self.running:
            try:
                rss = me.memory_info().rss + sum(c.memory_info().rss for c in me.children(recursive=True))
            except psutil.Error:
                rss = me.memory_info().rss
            self.peak = max(self.peak, rss)
            time.sleep(self.interval)

    def stop(self) -> int:
        self.running = False
        return self.peak
