"""(d) the served app: `python -m sollicitations serve` on a copy of the database, driven by Playwright
in Debian's chromium, logged in as `fournisseur`: the cold start, the first render of each tab, then
1, 10 and 30 sessions together on one server process (tab switches and searches)."""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import time
from pathlib import Path

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, CONTEXT
from tests.support.served import Server

from .table import FIRST_RENDER, SWITCH_10, SWITCH_30, Recorder, Row

TABS = {  # tab label -> what shows that it is fully drawn (visible text, and a CSS selector if any)
    "Synthèse": ("Mes sollicitations à traiter", ".tabulator-row"),
    "Saisir sollicitation": ("En-tête de la sollicitation", None),
    "Rechercher": ("Critères de recherche", None),
    "Consulter": ("Cliquez sur le numéro d'une sollicitation", None),
    "Tableau de bord": ("Sollicitations par statut", ".tabulator-row"),
}


async def wait_tab(page, tab: str, timeout: float) -> None:
    text, selector = TABS[tab]
    await page.get_by_text(text).filter(visible=True).first.wait_for(timeout=timeout)
    if selector:
        await page.locator(selector).filter(visible=True).first.wait_for(timeout=timeout)


async def open_app(page, url: str, tab: str = "Synthèse", timeout: float = 60_000) -> float:
    """goto /app (logged in by the context's cookie) until `tab` is fully drawn: seconds."""
    started = time.perf_counter()
    await page.goto(url + "/app", timeout=timeout)
    await page.locator(".bk-tab").first.wait_for(timeout=timeout)
    if tab != "Synthèse":
        await page.locator(".bk-tab", has_text=tab).first.click(timeout=timeout)
    await wait_tab(page, tab, timeout)
    return time.perf_counter() - started


async def app_part(rec: Recorder, db: Path, size: int, numbers: list[int], args, workdir: Path) -> None:
    from playwright.async_api import async_playwright

    folder = workdir / f"app-{size}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    # No mail leaves (no SMTP server), and the snapshot the server publishes stays in the folder.
    server = Server(
        db,
        folder / "secrets",
        log=folder / "server.log",
        timeout=120,
        SOLLICITATIONS_SNAPSHOT=str(folder / "snapshot.duckdb"),
        SOLLICITATIONS_SMTP_HOST=None,
    )
    failures: list[str] = []
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = await browser.new_context(**CONTEXT)
            page = await context.new_page()
            started = time.perf_counter()
            await page.goto(server.url + "/app")
            await page.fill("#username", "fournisseur")
            await page.fill("#password", "fournisseur")
            await page.click("button[type=submit]")
            await page.locator(".bk-tab").first.wait_for(timeout=180_000)
            await wait_tab(page, "Synthèse", 180_000)
            cold = time.perf_counter() - started
            await page.close()
            rec.add(Row("app", "app cold start: login + first page (server warm-up)", size, "s", value=cold,
                        note="first session: opens the desk and publishes the first snapshot"))  # fmt: skip

            for tab in TABS:
                times = []
                for _ in range(args.app_repeat):
                    pg = await context.new_page()
                    try:
                        times.append(await open_app(pg, server.url, tab) * 1000)
                    except Exception as e:  # noqa: BLE001 - reported in the notes
                        failures.append(f"first render {tab}: {str(e).splitlines()[0]}")
                    await pg.close()
                rec.add(Row("app", f"app first render: {tab} (fournisseur)", size, "ms", times, target=FIRST_RENDER,
                            note="new session: goto /app, click the tab, content drawn"))  # fmt: skip

            for n in args.sessions:
                await concurrent_sessions(
                    rec, context, server.url, n, size, numbers, args, failures, server.process.pid
                )
            await context.close()
            await browser.close()
    finally:
        log = server.stop()
    errors = server_errors(log)
    if errors:
        rec.notes.append(f"app at {size:,}: {len(errors)} error(s) in the server log, first: {errors[0][:300]}")
    for f in failures[:20]:
        rec.notes.append(f"app at {size:,}: {f}")
    if len(failures) > 20:
        rec.notes.append(f"app at {size:,}: ... {len(failures) - 20} more failures")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(values[:8])
    return (total - values[3] - values[4]) / os.sysconf("SC_CLK_TCK"), total / os.sysconf("SC_CLK_TCK")


class CpuShare:
    """How much CPU the server process and the whole machine used during a phase."""

    def __init__(self, pid: int):
        self.pid, self.wall = pid, time.perf_counter()
        self.server = process_cpu(pid)
        self.busy, self.total = machine_busy()

    def text(self) -> str:
        wall = time.perf_counter() - self.wall
        server = process_cpu(self.pid) - self.server
        busy, total = machine_busy()
        share = (busy - self.busy) / max(total - self.total, 1e-9)
        return (
            f"{wall:.0f} s wall: server process {server:.0f} CPU-s ({server / max(wall, 1e-9):.0%} of one core),"
            f" machine {share:.0%} busy ({os.cpu_count()} cores)"
        )


def server_errors(log: str) -> list[str]:
    """The last line of each traceback in the server log, but a browser leaving mid-write (not ours)."""
    found, lines = [], log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
                j += 1
            last = lines[j] if j < len(lines) else line
            if "WebSocketClosedError" not in last and "StreamClosedError" not in last:
                found.append(last)
        elif " ERROR " in line or "error handling message" in line:
            found.append(line)
    return found


async def concurrent_sessions(rec, context, url, n: int, size: int, numbers: list[int], args, failures, pid) -> None:
    """`n` pages of one browser on one server: all opened at once, then each switches tabs and searches."""
    pages = [await context.new_page() for _ in range(n)]
    for pg in pages:
        pg.set_default_timeout(args.op_timeout * 1000)
    loads, switches, searches, errors = [], [], [], [0]
    cpu = CpuShare(pid)
    started = time.perf_counter()

    async def load(pg):
        try:
            loads.append(await open_app(pg, url, "Synthèse", timeout=args.phase_timeout * 1000) * 1000)
        except Exception as e:  # noqa: BLE001
            failures.append(f"{n} sessions, load: {str(e).splitlines()[0]}")

    await asyncio.gather(*(load(pg) for pg in pages))
    load_wall = time.perf_counter() - started
    load_cpu = cpu.text()
    iterations = max(args.app_iterations, math.ceil(20 / n))
    deadline = time.perf_counter() + args.phase_timeout
    cpu = CpuShare(pid)

    async def session(index: int, pg):
        await asyncio.sleep(0.05 * index)  # not all in the same millisecond, as people click
        failed_in_a_row = 0
        for it in range(iterations):
            if time.perf_counter() > deadline or failed_in_a_row >= 2:
                return
            step = "start"
            try:
                for tab in ("Tableau de bord", "Synthèse"):
                    step = f"switch to {tab}"
                    t = time.perf_counter()
                    await pg.locator(".bk-tab", has_text=tab).first.click()
                    await wait_tab(pg, tab, args.op_timeout * 1000)
                    switches.append((time.perf_counter() - t) * 1000)
                step = "switch to Rechercher"
                await pg.locator(".bk-tab", has_text="Rechercher").first.click()
                await wait_tab(pg, "Rechercher", args.op_timeout * 1000)
                numero = numbers[(index + it) % len(numbers)]
                step = "type the number"
                field = pg.get_by_label("Numéro de la sollicitation", exact=True).filter(visible=True).first
                await field.fill(str(numero))
                await field.press("Tab")
                await pg.wait_for_timeout(300)  # the value reaches the server before the click, as a user types
                step = f"search {numero}"
                t = time.perf_counter()
                await pg.get_by_role("button", name="Rechercher", exact=True).filter(visible=True).last.click()
                await pg.locator(".tabulator-cell[tabulator-field='Référence']", has_text=str(numero)).filter(
                    visible=True).first.wait_for(timeout=args.op_timeout * 1000)  # fmt: skip
                searches.append((time.perf_counter() - t) * 1000)
                failed_in_a_row = 0
            except Exception as e:  # noqa: BLE001
                errors[0] += 1
                failed_in_a_row += 1
                failures.append(f"{n} sessions, session {index}, round {it}, {step}: {str(e).splitlines()[0]}")

    await asyncio.gather(*(session(i, pg) for i, pg in enumerate(pages)))
    ops_cpu = cpu.text()
    for pg in pages:
        await pg.close()
    label = f"{n} session{'s' if n > 1 else ''}"
    lost = f"; {errors[0]} step(s) timed out (see notes)" if errors[0] else ""
    rec.add(Row("app", f"app {label}: open together (goto → Synthèse drawn)", size, "ms", loads,
                note=f"{len(loads)}/{n} loaded within {load_wall:.1f} s; {load_cpu}"))  # fmt: skip
    rec.add(Row("app", f"app {label}: tab switch", size, "ms", switches,
                target=SWITCH_30 if n > 10 else SWITCH_10, note=f"{len(switches)} switches{lost}; {ops_cpu}"))  # fmt: skip
    rec.add(Row("app", f"app {label}: search click (by numero)", size, "ms", searches,
                note=f"{len(searches)} searches{lost}"))  # fmt: skip
