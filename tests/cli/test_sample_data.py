#!/usr/bin/env python3
"""sample-data/: the generator is deterministic and reproduces the committed files byte
for byte, and the files keep the invariants other parts of copylab rely on (formats,
columns, ranges, consistency between tables, a learnable click rate).

Run by tests/run.sh with $COPYLAB_TOP (repo root) and $TEST_TMP (a fresh temp dir).
Python 3 standard library only.
"""

import csv
import datetime as dt
import importlib.util
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

TOP = os.environ.get("COPYLAB_TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SD = os.path.join(TOP, "sample-data")
TMP = os.environ.get("TEST_TMP") or tempfile.mkdtemp()

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def read_csv(name):
    """Strict read: UTF-8, no BOM, RFC 4180 round trip, rectangular. Returns (header, rows)."""
    path = os.path.join(SD, "data", name)
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        check(False, "%s: not UTF-8 (%s)" % (name, e))
        return [], []
    check(not text.startswith("\ufeff"), name + ": starts with a BOM")
    check(text.endswith("\n"), name + ": last record has no line end")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    check(out.getvalue() == text, name + ": csv round trip changes the bytes (quoting not minimal RFC 4180)")
    header, body = rows[0], rows[1:]
    bad = [i + 2 for i, r in enumerate(body) if len(r) != len(header)]
    check(not bad, "%s: ragged rows at records %s" % (name, bad[:5]))
    return header, body


def as_dicts(header, body):
    return [dict(zip(header, r)) for r in body]


def is_date(s):
    try:
        dt.date.fromisoformat(s)
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", s) is not None
    except ValueError:
        return False


def spearman(a, b):
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2.0
            i = j + 1
        return r
    ra, rb = ranks(a), ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    return cov / ((sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5)


# --- 1. determinism: regenerate twice into temp dirs, compare with the committed files ----
def test_deterministic():
    outs = []
    for k in (1, 2):
        out = os.path.join(TMP, "gen%d" % k)
        p = subprocess.run([sys.executable, os.path.join(SD, "gen.py"), "--out", out],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, "gen.py run %d exited %d: %s" % (k, p.returncode, p.stderr[-500:]))
        outs.append(out)
    produced = []
    for root, _, files in os.walk(outs[0]):
        for f in files:
            produced.append(os.path.relpath(os.path.join(root, f), outs[0]))
    produced.sort()
    check(len(produced) >= 12, "gen.py wrote only %d files" % len(produced))
    for rel in ("data/products.csv", "data/customers.csv", "data/campaigns.csv",
                "data/ab_results.csv", "data/reviews.csv", "brand.json"):
        check(rel in produced, "gen.py did not write " + rel)
    for rel in produced:
        a = open(os.path.join(outs[0], rel), "rb").read()
        b = open(os.path.join(outs[1], rel), "rb").read()
        check(a == b, "two runs of gen.py differ in " + rel)
        committed = os.path.join(SD, rel)
        check(os.path.exists(committed), rel + " is generated but not in sample-data/")
        if os.path.exists(committed):
            check(open(committed, "rb").read() == a,
                  rel + " differs from what gen.py generates (run python3 sample-data/gen.py and commit)")


# --- 2. invariants ------------------------------------------------------------------------
def test_products():
    h, b = read_csv("products.csv")
    check(h == ["id", "sku", "name_en", "name_zh", "category", "price", "list_price", "discount_pct",
                "features_en", "features_zh", "benefits_en", "benefits_zh", "launch_date", "in_stock"],
          "products.csv header: %s" % h)
    rows = as_dicts(h, b)
    check(25 <= len(rows) <= 40, "products: %d rows" % len(rows))
    check([int(r["id"]) for r in rows] == list(range(1, len(rows) + 1)), "products: ids are not 1..N")
    check(len({r["sku"] for r in rows}) == len(rows), "products: duplicate sku")
    for r in rows:
        lp, price, d = float(r["list_price"]), float(r["price"]), int(r["discount_pct"])
        check(0 <= d < 100 and abs(price - round(lp * (100 - d) / 100.0, 2)) < 0.005,
              "products %s: price %s != list %s less %d%%" % (r["id"], price, lp, d))
        check(re.search(r"[\u4e00-\u9fff]", r["name_zh"] + r["features_zh"] + r["benefits_zh"]) is not None,
              "products %s: Chinese fields hold no Chinese" % r["id"])
        check(is_date(r["launch_date"]) and r["in_stock"] in ("yes", "no"), "products %s: date/stock" % r["id"])
        check(r["category"] in ("green", "oolong", "black", "white", "puerh", "floral", "teaware", "gift"),
              "products %s: category %r" % (r["id"], r["category"]))
    check(any(int(r["discount_pct"]) > 0 for r in rows), "products: no product is on offer")
    return rows


def test_customers():
    h, b = read_csv("customers.csv")
    check(h == ["id", "name", "email", "phone", "age", "gender", "city", "region", "signup_date",
                "preferred_channel", "language", "recency_days", "frequency", "monetary",
                "consent_email", "consent_sms", "segment"], "customers.csv header: %s" % h)
    check(15000 <= len(b) <= 25000, "customers: %d rows" % len(b))
    size = os.path.getsize(os.path.join(SD, "data", "customers.csv"))
    check(size < 4 * 1024 * 1024, "customers.csv is %d bytes" % size)
    rows = as_dicts(h, b)
    emails = set()
    phone_re = re.compile(r"(1\d\d-0000-\d{4}|\+1-555-01\d\d|\+44-7700-900\d{3}|\+61-491-570-\d{3}|\+\d{2,3}-0000-\d{4})")
    segs = set()
    for i, r in enumerate(rows, 1):
        check(int(r["id"]) == i, "customers: id %s at row %d" % (r["id"], i))
        check(re.fullmatch(r"[a-z0-9._]+@example\.(com|cn)", r["email"]) is not None,
              "customers %d: email %r is not plainly fake" % (i, r["email"]))
        emails.add(r["email"])
        check(r["phone"] == "" or phone_re.fullmatch(r["phone"]) is not None,
              "customers %d: phone %r is not in a fictional range" % (i, r["phone"]))
        check(r["age"] == "" or 18 <= int(r["age"]) <= 90, "customers %d: age %r" % (i, r["age"]))
        check(r["gender"] in ("", "female", "male"), "customers %d: gender" % i)
        check(r["preferred_channel"] in ("email", "sms", "push", "social", "wechat"), "customers %d: channel" % i)
        check(r["language"] in ("en", "zh") and r["consent_email"] in ("yes", "no")
              and r["consent_sms"] in ("yes", "no"), "customers %d: language/consent" % i)
        check(is_date(r["signup_date"]) and int(r["recency_days"]) >= 0 and int(r["frequency"]) >= 1
              and float(r["monetary"]) > 0, "customers %d: RFM fields" % i)
        segs.add(r["segment"])
        if failures and len(failures) > 20:
            break
    check(len(emails) == len(rows), "customers: duplicate e-mails")
    check(segs == {"loyal", "new", "lapsed", "vip", "bargain"}, "customers: segments %s" % sorted(segs))
    return rows


def test_campaigns(products):
    h, b = read_csv("campaigns.csv")
    check(h[:12] == ["id", "date", "channel", "segment", "language", "headline", "body", "cta",
                     "impressions", "clicks", "conversions", "revenue"], "campaigns.csv header: %s" % h)
    rows = as_dicts(h, b)
    check(250 <= len(rows) <= 400, "campaigns: %d rows" % len(rows))
    pids = {p["id"] for p in products}
    dates = []
    for r in rows:
        imp, cl, cv, rev = int(r["impressions"]), int(r["clicks"]), int(r["conversions"]), float(r["revenue"])
        check(0 <= cv <= cl <= imp and imp > 0 and rev >= 0, "campaigns %s: counts %d/%d/%d" % (r["id"], imp, cl, cv))
        check(r["channel"] in ("email", "sms", "push", "social", "search-ad", "landing"), "campaigns %s: channel" % r["id"])
        check(r["segment"] in ("all", "loyal", "new", "lapsed", "vip", "bargain"), "campaigns %s: segment" % r["id"])
        check(r["language"] in ("en", "zh") and r["headline"] and r["body"] and r["cta"], "campaigns %s: copy" % r["id"])
        zh = re.search(r"[\u4e00-\u9fff]", r["headline"] + r["body"]) is not None
        check(zh == (r["language"] == "zh"), "campaigns %s: language %s but text says otherwise" % (r["id"], r["language"]))
        check("lorem" not in (r["headline"] + r["body"]).lower(), "campaigns %s: lorem ipsum" % r["id"])
        check(r["product_id"] in pids, "campaigns %s: product_id %s unknown" % (r["id"], r["product_id"]))
        check(is_date(r["date"]), "campaigns %s: date" % r["id"])
        dates.append(r["date"])
    check(dates == sorted(dates), "campaigns are not in date order")
    check({r["channel"] for r in rows} == {"email", "sms", "push", "social", "search-ad", "landing"},
          "campaigns: a channel is missing")
    check(len({r["headline"] for r in rows}) >= 0.9 * len(rows), "campaigns: headlines repeat too much")
    # The click rate must depend on the copy: the generator's own detectors, summed with
    # equal weights and no fitting, must rank the observed click rates.
    spec = importlib.util.spec_from_file_location("sample_gen", os.path.join(SD, "gen.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    score, ctr = [], []
    for r in rows:
        f = gen.copy_features(r["channel"], r["language"], r["segment"], r["headline"], r["body"], r["cta"], False)
        score.append(f["number"] + f["question"] + f["urgency"] + f["cta_strong"] + f["personal"]
                     - f["overload"] + f["length_fit"])
        ctr.append(int(r["clicks"]) / int(r["impressions"]))
    rho = spearman(score, ctr)
    check(rho > 0.3, "campaigns: copy score vs click rate Spearman %.3f, expected > 0.3" % rho)
    # and neither the copy nor the channel alone explains everything
    check(rho < 0.9, "campaigns: copy score explains the click rate too well (%.3f)" % rho)


def test_ab():
    h, b = read_csv("ab_results.csv")
    check(h == ["date", "arm", "n", "conversions", "revenue"], "ab_results.csv header: %s" % h)
    check(len(b) == 63, "ab_results: %d rows, expected 21 days x 3 arms" % len(b))
    check([r[1] for r in b[:3]] == ["A", "B", "C"], "ab_results: first day's arms are not A, B, C")
    tot = {}
    days = set()
    for d, arm, n, c, rev in b:
        n, c = int(n), int(c)
        check(0 <= c <= n and n > 0 and float(rev) >= 0 and is_date(d), "ab_results %s %s: values" % (d, arm))
        t = tot.setdefault(arm, [0, 0])
        t[0] += n
        t[1] += c
        days.add(d)
    check(len(days) == 21 and set(tot) == {"A", "B", "C"}, "ab_results: days %d arms %s" % (len(days), sorted(tot)))
    rate = {a: c / n for a, (n, c) in tot.items()}
    check(all(0.03 <= r <= 0.05 for r in rate.values()), "ab_results: rates %s" % rate)
    lift_b = rate["B"] / rate["A"] - 1
    check(0.08 <= lift_b <= 0.17, "ab_results: B's lift %.3f, expected ~ +12%%" % lift_b)
    check(rate["C"] < rate["A"] and rate["C"] / rate["A"] - 1 > -0.10, "ab_results: C should be slightly worse")
    # pooled two-proportion z for B vs A: clearly significant
    (na, ca), (nb, cb) = tot["A"], tot["B"]
    p = (ca + cb) / (na + nb)
    z = (cb / nb - ca / na) / (p * (1 - p) * (1 / na + 1 / nb)) ** 0.5
    check(z > 2.6, "ab_results: B vs A z = %.2f, expected a clear win" % z)


def test_reviews(products):
    h, b = read_csv("reviews.csv")
    check(h == ["id", "product_id", "date", "language", "rating", "text", "sentiment", "topic"],
          "reviews.csv header: %s" % h)
    rows = as_dicts(h, b)
    check(1500 <= len(rows) <= 2500, "reviews: %d rows" % len(rows))
    launch = {p["id"]: p["launch_date"] for p in products}
    for r in rows:
        rating = int(r["rating"])
        want = "positive" if rating >= 4 else "neutral" if rating == 3 else "negative"
        check(r["sentiment"] == want, "reviews %s: rating %d labelled %s" % (r["id"], rating, r["sentiment"]))
        check(r["topic"] in ("taste", "packaging", "delivery", "price", "service", "gift", "quality"),
              "reviews %s: topic %r" % (r["id"], r["topic"]))
        check(r["product_id"] in launch and r["date"] >= launch[r["product_id"]],
              "reviews %s: product or date before launch" % r["id"])
        zh = re.search(r"[\u4e00-\u9fff]", r["text"]) is not None
        check(zh == (r["language"] == "zh"), "reviews %s: language mismatch" % r["id"])
        check("{" not in r["text"], "reviews %s: unfilled slot in %r" % (r["id"], r["text"]))
    langs = {r["language"] for r in rows}
    check(langs == {"en", "zh"}, "reviews: languages %s" % langs)
    uniq = len({r["text"] for r in rows}) / len(rows)
    check(uniq > 0.85, "reviews: only %.0f%% distinct texts" % (uniq * 100))
    check(any("\n" in r["text"] for r in rows), "reviews: no multi-line text to exercise quoted newlines")


def test_sqlite():
    """Everything loads into SQLite and the cross-table invariants hold in SQL."""
    db = sqlite3.connect(":memory:")
    for name in ("products", "customers", "campaigns", "ab_results", "reviews"):
        h, b = read_csv(name + ".csv")
        db.execute("CREATE TABLE %s (%s)" % (name, ", ".join('"%s"' % c for c in h)))
        db.executemany("INSERT INTO %s VALUES (%s)" % (name, ", ".join("?" * len(h))),
                       [[None if v == "" else v for v in r] for r in b])
    q = lambda sql: db.execute(sql).fetchone()[0]
    check(q("SELECT count(*) FROM campaigns WHERE CAST(clicks AS INT) > CAST(impressions AS INT) "
            "OR CAST(conversions AS INT) > CAST(clicks AS INT)") == 0, "sqlite: clicks/conversions out of order")
    check(q("SELECT count(*) FROM reviews WHERE product_id NOT IN (SELECT id FROM products)") == 0,
          "sqlite: review of an unknown product")
    check(q("SELECT count(*) FROM customers WHERE segment = 'vip'") > 0, "sqlite: no vip customers")
    vip = q("SELECT avg(CAST(monetary AS REAL)) FROM customers WHERE segment = 'vip'")
    lapsed = q("SELECT avg(CAST(monetary AS REAL)) FROM customers WHERE segment = 'lapsed'")
    check(vip > 3 * lapsed, "sqlite: vip spend %.0f not well above lapsed %.0f" % (vip, lapsed))
    rec = q("SELECT min(CAST(recency_days AS INT)) FROM customers WHERE segment = 'lapsed'")
    check(rec >= 180, "sqlite: a lapsed customer bought %d days ago" % rec)


def test_brand_and_templates(products):
    brand = json.load(open(os.path.join(SD, "brand.json"), encoding="utf-8"))
    for k in ("name", "name_zh", "voice", "voice_zh", "tone_words", "required_terms", "banned_terms", "channels"):
        check(k in brand, "brand.json lacks " + k)
    check(isinstance(brand.get("banned_terms"), list) and len(brand["banned_terms"]) >= 5, "brand.json banned_terms")
    check(set(brand.get("channels", {})) == {"email", "sms", "push", "social", "search-ad", "landing"},
          "brand.json channels: %s" % sorted(brand.get("channels", {})))
    tdir = os.path.join(SD, "templates")
    names = sorted(f for f in os.listdir(tdir) if f.endswith(".tmpl"))
    check(4 <= len(names) <= 8, "templates: %d files" % len(names))
    columns = {"id", "sku", "name_en", "name_zh", "category", "price", "list_price", "discount_pct",
               "features_en", "features_zh", "benefits_en", "benefits_zh", "launch_date", "in_stock"}
    channels, langs = set(), set()
    for f in names:
        text = open(os.path.join(tdir, f), encoding="utf-8").read()
        m = re.match(r"---\n(.*?)\n---\n(.*)\Z", text, re.S)
        check(m is not None, f + ": no front matter between --- lines")
        if not m:
            continue
        meta = {}
        for line in m.group(1).split("\n"):
            k, sep, v = line.partition(":")
            check(sep == ":", f + ": bad front-matter line %r" % line)
            meta[k.strip()] = v.strip()
        for k in ("name", "channel", "language", "fields", "variants", "temperature", "max_tokens", "system"):
            check(k in meta, f + ": front matter lacks " + k)
        check(meta.get("name") + ".tmpl" == f, f + ": name does not match the file name")
        channels.add(meta.get("channel"))
        langs.add(meta.get("language"))
        for tag in re.findall(r"\{\{(.*?)\}\}", text):
            var = tag.split("|")[0].strip()
            filters = [x.strip() for x in tag.split("|")[1:]]
            if var.startswith("product."):
                check(var[8:] in columns, f + ": unknown product column in {{%s}}" % tag)
            elif var.startswith("brand."):
                check(isinstance(brand.get(var[6:]), str), f + ": brand key not a string in {{%s}}" % tag)
            elif var in ("segment.name", "segment.profile"):
                pass
            else:
                check(any(x.startswith("default:") for x in filters),
                      f + ": free variable without a default in {{%s}}" % tag)
            for x in filters:
                check(x in ("upper", "lower") or re.fullmatch(r'default:"[^"]*"', x) is not None,
                      f + ": bad filter %r" % x)
    check(channels == {"email", "sms", "push", "social", "search-ad", "landing"}, "templates cover %s" % sorted(channels))
    check(langs == {"en", "zh"}, "templates languages %s" % sorted(langs))


def main():
    test_deterministic()
    products = test_products()
    test_customers()
    test_campaigns(products)
    test_ab()
    test_reviews(products)
    test_sqlite()
    test_brand_and_templates(products)
    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
