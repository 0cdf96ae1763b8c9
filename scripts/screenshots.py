"""Regenerate the README's screenshots (docs/screenshots/*.png) from today's product.

    python scripts/screenshots.py [--lang zh-CN|en] [--customers 120] [--chromium /usr/bin/chromium]
    make screenshots

It prepares a demo database of its own in a temporary KEHU_DATA_DIR (`kehu migrate`, `kehu
demo-data`), starts `kehu serve --demo` on a free port, and photographs with Playwright and the
system's Chromium (headless, --no-sandbox), logged in as the demo's office director
(director1): the customer list (desktop and a 390 px phone), a customer's 360° page, the credit
approval queue, the collection work, the ageing report and a printed receipt. A desktop picture
is the 1280 × 900 window, not the whole page, so each file stays small. The pages are in Chinese
(`--lang en` for English); the names of the demo data are Chinese either way, so Chromium needs a
CJK font (Debian: apt-get install fonts-wqy-microhei or fonts-noto-cjk). Nothing outside the temporary directory and
docs/screenshots is touched; the server is stopped at the end.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOGIN, PASSWORD = "director1", "kehu2026"  # kehu.demo.generate: the demo's office director


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kehu(env, *args) -> None:
    subprocess.run([sys.executable, "-m", "kehu", *args], cwd=ROOT, env=env, check=True)  # noqa: S603 — our own command


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 — our own local server
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The server did not answer at {url} within {seconds} s.")


def shoot(base: str, chromium: str, lang: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale=lang, viewport=DESKTOP, extra_http_headers={"Accept-Language": lang})
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", LOGIN)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

        def save(name: str, path: str, *, ready: str = "main") -> None:
            page.goto(f"{base}{path}")
            page.locator(ready).first.wait_for()
            page.wait_for_load_state("networkidle")
            target = OUT / f"{name}.png"
            page.screenshot(path=str(target))
            written.append(target)

        save("customer-list", "/customers/", ready="#customer-table")
        customer = page.locator("#customer-table tbody a[href^='/customers/']").first.get_attribute("href")
        save("customer-360", f"{customer}?tab=business", ready="#customer-figures")
        save("approval-queue", "/credit/queue/")
        save("collection-work", "/receivables/collection/")
        save("ageing", "/receivables/ageing/")
        page.goto(f"{base}/receivables/payments/")
        payment = page.locator("main table tbody a[href^='/receivables/payments/']").first.get_attribute("href")
        save("receipt", f"{payment}receipt/", ready="body")
        page.set_viewport_size(PHONE)
        save("customer-list-phone", "/customers/", ready="#customer-table")
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="zh-CN", help="the browser's language: zh-CN (default) or en")
    parser.add_argument("--customers", type=int, default=120, help="customers of the demo data (default 120)")
    parser.add_argument("--chromium", default=os.environ.get("KEHU_CHROMIUM", "/usr/bin/chromium"))
    options = parser.parse_args()
    if not Path(options.chromium).exists():
        raise SystemExit(f"Chromium not found at {options.chromium}: install it (apt-get install chromium) "
                         "or name it with --chromium.")
    with tempfile.TemporaryDirectory(prefix="kehu-screenshots-") as data_dir:
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "KEHU_SECRET_KEY")}
        env.update(KEHU_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="kehu.settings", PYTHONPATH=str(ROOT))
        kehu(env, "migrate", "--noinput", "--verbosity", "0")
        kehu(env, "demo-data", "--customers", str(options.customers))
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "kehu", "serve", "--demo", "--workers", "1",  # noqa: S603
                                   "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/accounts/login/")
            for path in shoot(base, options.chromium, options.lang):
                sys.stdout.write(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} kB\n")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
