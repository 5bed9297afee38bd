"""Scrapy's downloader with ``CONCURRENT_REQUESTS_PER_DOMAIN`` actually enforced when there is no delay.

Scrapy 2.13+ (asyncio reactor, the default) starts each download with
``loop.create_task``, and the request joins ``slot.transferring`` (the
count the limit is checked against) only when that task first runs.
``Downloader._process_queue`` therefore sees the same number of free
transfer slots on every turn of its loop and, with ``DOWNLOAD_DELAY = 0``
(no ``break`` after the first request), starts every queued request at
once: a site configured for 2 parallel requests received 16.  This
subclass claims the transfer slot before scheduling the download; the
download's own ``add`` is then a no-op and its ``finally`` frees the slot
as before.  With a delay the stock loop starts one request per turn, so
nothing changes there.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class SlotCountingDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # the fix: counted now, not when the task starts
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
