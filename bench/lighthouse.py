"""Lighthouse on a phone, as a new user meets the product: `python bench/lighthouse.py`
(or `make bench-lighthouse`) against a running `make run` (default http://127.0.0.1:8000).

1. Installs Lighthouse (npm, pinned below) under var/lighthouse the first time; needs Node 18+
   and Debian's chromium (`/usr/bin/chromium`, or CHROME_PATH).
2. Signs in the demo buyer and the demo seller (the demo logins of `make run`) for the pages
   behind a login and passes their session cookie to Lighthouse.
3. Runs Lighthouse's default mobile audit (Moto G Power emulation, simulated slow 4G and 4x CPU
   slowdown) `--runs` times per page and keeps the median run by performance score, as
   Lighthouse's own guidance on variability recommends
   (https://github.com/GoogleChrome/lighthouse/blob/main/docs/variability.md): a busy 2-core
   machine moves a single run's score by 10 points.
4. Writes the table to the "Lighthouse (mobile)" section of bench/RESULTS.md; exits 1 when a
   page's median performance is under --min-performance or accessibility is under 100.

Only 127.0.0.1 is contacted (plus the npm registry for the one-time install).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import machine_info, now_utc, write_section  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"  # the last major that runs on Node 20 (13.x needs Node >= 22.19)
INSTALL_DIR = ROOT / "var" / "lighthouse"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - the public demo password of `make run` (scripts/run.py)

# (name, path, who is signed in)
PUBLIC_PAGES = [
    ("home", "/", None),
    ("search", "/cari/?q=keripik", None),
    ("category", "/cari/?category=makanan-minuman", None),
    ("login", "/login/", None),
    ("register", "/register/", None),
]
BUYER_PAGES = [("cart", "/keranjang/", "buyer"), ("orders", "/pesanan/", "buyer"), ("account", "/akun/", "buyer")]
SELLER_PAGES = [("dashboard", "/dashboard/", "seller"), ("seller orders", "/dashboard/pesanan/", "seller")]


def lighthouse_bin() -> Path:
    """The Lighthouse CLI, installed with npm into var/lighthouse on first use."""
    binary = INSTALL_DIR / "node_modules" / ".bin" / "lighthouse"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("Lighthouse needs Node.js 18+ and npm (apt-get install nodejs npm)")
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(INSTALL_DIR), f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True,
    )
    return binary


def session_cookie(base: str, email: str) -> str:
    """`sessionid=…` of a signed-in demo user (the login form, CSRF token included)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login/", timeout=30).read().decode()  # noqa: S310 - 127.0.0.1 only
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token is None:
        raise SystemExit("no CSRF token on /login/")
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": email, "password": DEMO_PASSWORD})
    request = urllib.request.Request(f"{base}/login/", data=body.encode(), headers={"Referer": f"{base}/login/"})  # noqa: S310
    opener.open(request, timeout=30).read()  # noqa: S310
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"could not sign in {email}: is `make run` (with demo data) running at {base}?")
    return f"sessionid={cookies['sessionid']}"


def product_paths(base: str) -> list[tuple[str, str, str | None]]:
    """A product page and a store page, found on the home page."""
    html = urllib.request.urlopen(f"{base}/", timeout=30).read().decode()  # noqa: S310
    product = re.search(r'href="(/p/[^"]+/)"', html)
    store = re.search(r'href="(/store/[^"]+/)"', html)
    pages = []
    if product:
        pages.append(("product", product.group(1), None))
    if store:
        pages.append(("store", store.group(1), None))
    return pages


def audit(binary: Path, url: str, cookie: str | None, out: Path) -> dict:
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    cmd = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if cookie:
        cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True, timeout=300)
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl", url),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=os.environ.get("BENCH_BASE", "http://127.0.0.1:8000"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--min-performance", type=int, default=95)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.base).hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit("benchmarks only talk to 127.0.0.1")

    binary = lighthouse_bin()
    cookies = {
        "buyer": session_cookie(args.base, "pembeli@tokoblitar.id"),
        "seller": session_cookie(args.base, "penjual@tokoblitar.id"),
    }
    pages = PUBLIC_PAGES[:1] + product_paths(args.base) + PUBLIC_PAGES[1:] + BUYER_PAGES + SELLER_PAGES
    rows, failures = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, who in pages:
            runs = [
                audit(binary, args.base + path, cookies.get(who or ""), Path(tmp) / f"{i}.json")
                for i in range(args.runs)
            ]
            runs.sort(key=lambda r: r["performance"])
            median = runs[len(runs) // 2]
            scores = [r["performance"] for r in runs]
            if urllib.parse.urlsplit(median["final_url"]).path != urllib.parse.urlsplit(args.base + path).path:
                failures.append(f"{name}: redirected to {median['final_url']}")
            if median["performance"] < args.min_performance or median["accessibility"] < 100:
                failures.append(f"{name}: performance {median['performance']}, accessibility {median['accessibility']}")
            rows.append(
                f"| {name} | `{path}` | **{median['performance']}** ({min(scores)}–{max(scores)}) "
                f"| {median['accessibility']} | {median['fcp'] / 1000:.1f} s | {median['lcp'] / 1000:.1f} s "
                f"| {median['tbt']:.0f} ms | {median['cls']:.3f} | {median['bytes'] / 1024:.0f} KiB |"
            )
            print(rows[-1], flush=True)
    spread = statistics.pstdev([int(r.split("**")[1]) for r in rows]) if rows else 0.0
    body = "\n".join(
        [
            f"Run {now_utc()} on {machine_info()}; Lighthouse {LIGHTHOUSE_VERSION}, default mobile audit "
            f"(emulated Moto G Power, simulated slow 4G, 4x CPU slowdown), headless Debian chromium, "
            f"against `make run` (DEBUG on, demo data). Median of {args.runs} runs per page "
            f"(min–max in brackets); `python bench/lighthouse.py` reproduces it.",
            "",
            "| page | path | performance | accessibility | FCP | LCP | TBT | CLS | bytes |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Pages under {args.min_performance} or accessibility under 100: "
            + ("; ".join(failures) if failures else "none")
            + f". Spread of the medians across pages: {spread:.1f} points.",
        ]
    )
    if not args.no_write:
        write_section("Lighthouse (mobile)", body)
    print(body)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
