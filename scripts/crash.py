#!/usr/bin/env python3
"""Crash test: checkouts against the real server process, killed with SIGKILL at random moments.

    scripts/crash.py [--db sqlite|postgres] [--kills N] [--workers N] [--bin target/debug/server]

Shoppers place orders over HTTP, as the checkout page does (a session cookie, the lines with the
prices shown, an idempotency key per form). At random moments the server is killed with
`kill -9` and started again. After each restart the harness checks, on the database itself:

  * every checkout that was answered 200 is there, with its orders and their lines;
  * per product, stock now + units in orders of this run (not cancelled) = stock at the start,
    and every order line has its sale movement;
  * no idempotency key made two checkouts, and no checkout has two orders for one cooperative;
  * a checkout whose answer was lost in the crash, sent again with its key after the restart,
    gets one set of orders (the same receipt if it had committed).

It prints the kills survived, the orders checked and the time from start to the first 200.
Only the standard library is used, so it runs wherever the tests run.
"""
import argparse
import http.client
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOPPER = ("shopper@ocop.demo", "shopper-demo-2026")


class Database:
    """Reads the server's database while checking (the server may be stopped)."""

    def __init__(self, kind, url, path=None):
        self.kind, self.url, self.path = kind, url, path

    def rows(self, sql):
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.path, timeout=30)
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()
        out = subprocess.run(["psql", self.url, "-AtqF", "\t", "-c", sql], capture_output=True, text=True, check=True)
        return [tuple(int(v) if v.lstrip("-").isdigit() else v for v in line.split("\t"))
                for line in out.stdout.splitlines() if line]


class Server:
    def __init__(self, binary, env, port, log):
        self.binary, self.env, self.port, self.log = binary, env, port, log
        self.proc = None

    def start(self):
        started = time.monotonic()
        self.proc = subprocess.Popen([self.binary], env=self.env, stdout=self.log, stderr=self.log, cwd=ROOT)
        while time.monotonic() - started < 120:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with {self.proc.returncode}; see its log")
            try:
                status, _, _ = request(self.port, "GET", "/readyz", timeout=2)
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("the server did not become ready in 120 s")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def request(port, method, path, body=None, cookie=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json", "Host": f"127.0.0.1:{port}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        return res.status, res.getheader("Set-Cookie"), res.read()
    finally:
        conn.close()


def login(port):
    body = urllib.parse.urlencode({"email": SHOPPER[0], "password": SHOPPER[1], "next": "/"})
    for _ in range(50):
        status, cookie, _ = request(port, "POST", "/api/accounts/login", body)
        if status == 200 and cookie:
            return cookie.split(";")[0]
        time.sleep(0.5)
    raise SystemExit("could not log in as the demo shopper")


def checkout_body(key, lines):
    return urllib.parse.urlencode({
        "form[idempotency_key]": key,
        "form[lines]": ",".join(f"{p}:{q}@{price}" for p, q, price in lines),
        "form[payment]": "cod",
        "form[note]": "",
        "form[address][full_name]": "Nguyễn Thị Lan",
        "form[address][phone]": "0912345678",
        "form[address][province]": "Tuyên Quang",
        "form[address][district]": "",
        "form[address][commune]": "Phường Minh Xuân",
        "form[address][street]": "12 Đường 17/8",
    })


class Ledger:
    """What the shoppers were told: receipts answered 200, and forms whose answer was lost."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answered = {}  # key -> receipt (checkout_id, order numbers)
        self.lost = {}  # key -> body, to send again after the restart
        self.refused = 0
        self.resent = 0

    def answer(self, key, status, data):
        """Records what the server answered to the form `key`; returns the status."""
        with self.lock:
            self.lost.pop(key, None)
            if status == 200:
                receipt = json.loads(data)
                self.answered[key] = (receipt["checkout_id"], [o["number"] for o in receipt["orders"]])
            else:
                self.refused += 1
        return status


def shopper(port, products, ledger, stop, seed):
    rng = random.Random(seed)
    cookie = None
    n = 0
    while not stop.is_set():
        try:
            cookie = cookie or login(port)
        except (OSError, SystemExit):
            time.sleep(0.2)
            continue
        n += 1
        key = f"crash-{seed}-{n:08d}-{rng.randrange(1 << 30):08x}"
        picked = rng.sample(products, rng.randint(1, 3))
        lines = sorted((p, rng.randint(1, 2), price) for p, price in picked)
        body = checkout_body(key, lines)
        with ledger.lock:
            ledger.lost[key] = body
        try:
            status, _, data = request(port, "POST", "/api/orders/checkout", body, cookie)
        except ConnectionRefusedError:
            with ledger.lock:  # never reached a server: nothing to find again
                ledger.lost.pop(key, None)
            time.sleep(0.05)
            continue
        except OSError:
            continue  # the answer was lost: the key stays in `lost`
        if ledger.answer(key, status, data) == 401:
            cookie = None


def check(db, ledger, start_stock, run_start_order):
    problems = []
    with ledger.lock:
        answered = dict(ledger.answered)
    numbers = {n for _, ns in answered.values() for n in ns}
    rows = db.rows(
        "SELECT o.number, COUNT(l.product_id) FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id "
        f"WHERE o.id > {run_start_order} GROUP BY o.number")
    found = {r[0]: r[1] for r in rows}
    for number in numbers:
        if found.get(number, 0) == 0:
            problems.append(f"order {number} was answered 200 but is missing or has no lines")
    sold = dict(db.rows(
        "SELECT l.product_id, SUM(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id "
        f"WHERE o.id > {run_start_order} AND o.status <> 'cancelled' GROUP BY l.product_id"))
    for pid, stock in db.rows("SELECT id, stock FROM products"):
        if pid in start_stock and stock + sold.get(pid, 0) != start_stock[pid]:
            problems.append(f"product {pid}: stock {stock} + sold {sold.get(pid, 0)} != {start_stock[pid]} at start")
    lines, moves = db.rows(
        "SELECT (SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id "
        f"WHERE o.id > {run_start_order}), (SELECT COUNT(*) FROM stock_movements "
        f"WHERE reason = 'sale' AND order_id > {run_start_order})")[0]
    if lines != moves:
        problems.append(f"{lines} order lines but {moves} sale movements: a movement was lost or doubled")
    dup = db.rows("SELECT user_id, idempotency_key FROM checkouts GROUP BY user_id, idempotency_key HAVING COUNT(*) > 1")
    if dup:
        problems.append(f"idempotency keys with two checkouts: {dup[:5]}")
    twice = db.rows(
        "SELECT checkout_id, cooperative_id FROM orders GROUP BY checkout_id, cooperative_id HAVING COUNT(*) > 1")
    if twice:
        problems.append(f"checkouts with two orders for one cooperative: {twice[:5]}")
    return len(numbers), problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/debug/server"))
    ap.add_argument("--port", type=int, default=3300)
    ap.add_argument("--min-run", type=float, default=0.5, help="least seconds between a start and a kill")
    ap.add_argument("--max-run", type=float, default=4.0)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = os.path.join(ROOT, "target", "crash")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, LEPTOS_SITE_ADDR=f"127.0.0.1:{args.port}", PUBLIC_URL=f"http://127.0.0.1:{args.port}",
               RUST_LOG="warn", MEDIA_DIR=os.path.join(work, "media"), LEPTOS_OUTPUT_NAME="ocop",
               LEPTOS_SITE_ROOT="target/site", LEPTOS_SITE_PKG_DIR="pkg")
    if args.db == "sqlite":
        path = os.path.join(work, "crash.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        env["DATABASE_URL"] = f"sqlite://{path}"
        env.setdefault("SQLITE_SYNCHRONOUS", "full")
        db = Database("sqlite", None, path)
    else:
        admin = os.environ.get("OCOP_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        subprocess.run(["psql", admin, "-qc", "DROP DATABASE IF EXISTS ocop_crash WITH (FORCE)"], check=True)
        subprocess.run(["psql", admin, "-qc", "CREATE DATABASE ocop_crash"], check=True)
        url = admin.rsplit("/", 1)[0] + "/ocop_crash"
        env["DATABASE_URL"] = url
        db = Database("postgres", url)
    log = open(os.path.join(work, f"server-{args.db}.log"), "ab")
    server = Server(args.bin, env, args.port, log)
    first = server.start()
    # Plenty of stock, so that most checkouts succeed and stock moves every time.
    if args.db == "sqlite":
        conn = sqlite3.connect(db.path, timeout=30)
        conn.execute("UPDATE products SET stock = 100000 WHERE status = 'published'")
        conn.commit()
        conn.close()
    else:
        db.rows("UPDATE products SET stock = 100000 WHERE status = 'published'")
    products = [(p, price) for p, price in db.rows(
        "SELECT p.id, p.price_vnd FROM products p JOIN cooperatives c ON c.id = p.cooperative_id "
        "WHERE p.status = 'published' AND c.status = 'approved'")]
    start_stock = dict(db.rows("SELECT id, stock FROM products"))
    run_start_order = db.rows("SELECT COALESCE(MAX(id), 0) FROM orders")[0][0]
    ledger = Ledger()
    restarts = []
    kills = 0
    total_checked = 0
    print(f"crash test on {args.db}: {len(products)} products, {args.workers} shoppers, {args.kills} kills, "
          f"seed {args.seed}; first start ready in {first:.2f} s")
    for round_no in range(args.kills + 1):
        stop = threading.Event()
        threads = [threading.Thread(target=shopper, args=(args.port, products, ledger, stop, args.seed * 100 + i),
                                    daemon=True) for i in range(args.workers)]
        # Forms whose answer was lost in the last crash go again first, with their keys.
        with ledger.lock:
            lost = list(ledger.lost.items())
        cookie = login(args.port) if lost else None
        ledger.resent += len(lost)
        for key, body in lost:
            status, _, data = request(args.port, "POST", "/api/orders/checkout", body, cookie)
            ledger.answer(key, status, data)
        for t in threads:
            t.start()
        time.sleep(rng.uniform(args.min_run, args.max_run))
        if round_no < args.kills:
            server.kill()
            kills += 1
        stop.set()
        for t in threads:
            t.join(timeout=15)
        if round_no < args.kills:
            checked, problems = check(db, ledger, start_stock, run_start_order)
            total_checked = checked
            if problems:
                print("\n".join(problems))
                print(f"FAILED after kill {kills}")
                server.kill()
                return 1
            took = time.monotonic()
            server.proc = None
            restarts.append(server.start())
            # Restart to the first answered checkout.
            cookie = login(args.port)
            pid, price = products[0]
            status, _, _ = request(args.port, "POST", "/api/orders/checkout",
                                   checkout_body(f"crash-probe-{kills:06d}-{args.seed}", [(pid, 1, price)]), cookie)
            restarts[-1] = (restarts[-1], time.monotonic() - took, status)
    server.kill()
    checked, problems = check(db, ledger, start_stock, run_start_order)
    if problems:
        print("\n".join(problems))
        return 1
    ready = sorted(r[0] for r in restarts)
    first_ok = sorted(r[1] for r in restarts)
    mid = len(ready) // 2
    print(f"survived {kills} kills: {checked} answered orders all present with their lines, stock conserved "
          f"on {len(start_stock)} products, no key used twice; {ledger.resent} forms whose answer was lost sent again "
          f"with their keys; {ledger.refused} checkouts refused (4xx/5xx)")
    print(f"restart to /readyz 200: median {ready[mid]:.2f} s, max {ready[-1]:.2f} s; "
          f"restart to first checkout 200: median {first_ok[mid]:.2f} s, max {first_ok[-1]:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
