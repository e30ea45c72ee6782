"""The web page in headless Chromium: how long a 2,000-member committee takes to render,
filter and zoom; and the README's screenshot of the sample.

    python -m benchmarks.page_render [--members 2000] [--screenshot page.png]

The large committee is made from the generator's province roster: committees are folded
into one, in id order, until it holds the members asked for.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from liaison_graph.api.auth import create_token
from benchmarks.api_load import free_port, prepared_store, serving
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.loaders import load_files
from liaison_graph.loaders.generate import generate

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def big_committee(folder: Path, members: int) -> tuple[Path, str]:
    """A store holding one committee of at least ``members`` members, and its id."""
    generate("province", 1, folder / "province", "csv")

    def rows(name):
        with (folder / "province" / f"{name}.csv").open(encoding="utf-8-sig") as fh:
            return list(csv.DictReader(fh))

    all_members = rows("members")
    chosen, count = [], 0
    for committee in rows("committees"):
        chosen.append(committee["id"])
        count += sum(1 for m in all_members if m["committee_id"] == committee["id"])
        if count >= members:
            break
    root, keep = chosen[0], set(chosen)
    kept = {m["id"] for m in all_members if m["committee_id"] in keep}
    tables = {
        "committees": [{"id": root, "name": "演示大政协", "level": "province"}],
        "party_orgs": [{**o, "committee_id": root, "parent_id": o["parent_id"] if o["parent_id"] else None}
                       for o in rows("party_orgs") if o["committee_id"] in keep],
        "members": [{**m, "committee_id": root} for m in all_members if m["committee_id"] in keep],
        "liaisons": [r for r in rows("liaisons") if r["from_id"] in kept and (r["target_kind"] != "member" or r["to"] in kept)],
        "contacts": [r for r in rows("contacts") if r["from_id"] in kept and r["to_id"] in kept],
    }
    orgs = {o["id"] for o in tables["party_orgs"]}
    for o in tables["party_orgs"]:
        if o["parent_id"] not in orgs:
            o["parent_id"] = None
    for m in tables["members"]:
        m["party_org_ids"] = "、".join(x for x in m["party_org_ids"].split("、") if x in orgs)
    path = folder / "big.json"
    path.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
    db = folder / "big.db"
    with EmbeddedStore(db) as store:
        load_files([path], store)
    return db, root


def timed_page(browser, base: str, token: str) -> dict:
    page = browser.new_page(viewport={"width": 1500, "height": 1300})
    started = time.perf_counter()
    page.goto(f"{base}/#token={token}")
    page.wait_for_selector("body[data-ready='1']", timeout=120_000)
    network = time.perf_counter() - started
    page.wait_for_selector("body[data-dashboard='1']", timeout=120_000)
    dashboard = time.perf_counter() - started
    members = page.evaluate("window.liaisonPage.memberIds().length")
    sector = page.eval_on_selector_all("#filter-sector option", "els => els[1].value")
    started = time.perf_counter()
    page.select_option("#filter-sector", sector)
    page.evaluate("window.liaisonPage.fadedIds().length")
    filtering = time.perf_counter() - started
    frame_ms = page.evaluate("""async () => {
        const cy = window.liaisonPage.state.cy;
        const frames = [];
        let last = performance.now();
        for (let i = 0; i < 40; i++) {
            cy.zoom({ level: cy.zoom() * (i < 20 ? 1.08 : 1 / 1.08), renderedPosition: { x: 400, y: 300 } });
            await new Promise(requestAnimationFrame);
            const now = performance.now();
            frames.push(now - last);
            last = now;
        }
        frames.sort((a, b) => a - b);
        return { median: frames[20], worst: frames[39] };
    }""")
    page.close()
    return {"members": members, "network_s": round(network, 2), "dashboard_s": round(dashboard, 2),
            "filter_ms": round(filtering * 1000), "zoom_frame_median_ms": round(frame_ms["median"], 1),
            "zoom_frame_worst_ms": round(frame_ms["worst"], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        if args.screenshot:
            db, token, _ = prepared_store(tmp)
            with serving(db, free_port()) as base:
                page = browser.new_page(viewport={"width": 1500, "height": 1250})
                page.goto(f"{base}/#token={token}")
                page.wait_for_selector("body[data-dashboard='1']", timeout=60_000)
                page.screenshot(path=str(args.screenshot))
                page.close()
            print(f"screenshot: {args.screenshot}")
        db, root = big_committee(tmp, args.members)
        with EmbeddedStore(db) as store:
            _, token = create_token(store, root, "viewer", "page benchmark")
        with serving(db, free_port()) as base:
            print(json.dumps(timed_page(browser, base, token), ensure_ascii=False))
        browser.close()


if __name__ == "__main__":
    main()
