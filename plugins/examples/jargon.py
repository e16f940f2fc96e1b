#!/usr/bin/env python3
"""jargon.py — an example executable copylab plugin (JSON lines on stdin/stdout).

It offers:
  scorer   "jargon"     1.0 when the copy is free of corporate buzzwords,
                        lower with each one found (English and Chinese lists)
  provider "plainspeak" a tiny deterministic copy writer: it answers a
                        generate request with plain, buzzword-free copy
  exporter "mailchimp"  a Mailchimp-ready audience CSV: "Email Address",
                        "First Name", "Last Name", then other columns as
                        upper-case merge fields

The protocol is in plugins/README.md. Python 3 standard library only.
"""
import csv
import io
import json
import re
import sys

BUZZ_EN = ["synergy", "leverage", "best-in-class", "cutting-edge", "world-class",
           "paradigm", "seamless", "disrupt", "game-changer", "next-gen",
           "holistic", "robust", "innovative solution", "value-add", "circle back"]
BUZZ_ZH = ["赋能", "抓手", "闭环", "颗粒度", "打通", "底层逻辑", "顶层设计", "心智"]

SCORERS = [{"name": "jargon", "summary": "penalises corporate buzzwords", "weight": 1.0}]
PROVIDERS = [{"name": "plainspeak", "summary": "deterministic plain-language copy",
              "model": "plainspeak-1"}]
EXPORTERS = [{"name": "mailchimp", "summary": "Mailchimp-ready audience CSV",
              "extension": "csv"}]


def score(req):
    text = req.get("text", "")
    low = text.lower()
    found = [w for w in BUZZ_EN if re.search(r"\b" + re.escape(w) + r"\b", low)]
    found += [w for w in BUZZ_ZH if w in text]
    if not text.strip():
        return {"applies": False}
    value = max(0.0, 1.0 - len(found) / 3.0)
    why = "no buzzwords" if not found else "buzzwords: " + ", ".join(found)
    return {"value": round(value, 4), "detail": {"found": found, "why": why}}


def generate(req):
    user = (req.get("user") or "").strip()
    topic = re.split(r"[.\n。!?！？]", user)[0].strip() or "our new range"
    n = int(req.get("variant", 0))
    openers = ["Good news:", "Here it is:", "Take a look:", "Just in:"]
    fields = req.get("fields") or []
    body = f"{openers[n % len(openers)]} {topic}. Plain words, fair price, no fuss."
    if req.get("json") or fields:
        obj = {}
        for f in fields or ["subject", "body"]:
            obj[f] = f"{topic}" if f in ("subject", "headline") else body
        text = json.dumps(obj, ensure_ascii=False)
    else:
        text = body
    return {"text": text, "model": req.get("model") or "plainspeak-1",
            "tokens_in": len(user.split()), "tokens_out": len(body.split())}


class Mailchimp:
    """Keeps the column mapping between the begin, rows and end phases."""

    def __init__(self):
        self.cols = []

    def begin(self, columns):
        self.cols = [c.lower() for c in columns]
        head = ["Email Address", "First Name", "Last Name"]
        self.rest = [c for c in columns
                     if c.lower() not in ("email", "first_name", "last_name", "name")]
        head += [re.sub(r"[^A-Z0-9]", "", c.upper())[:10] or "FIELD" for c in self.rest]
        return self.line(head)

    def rows(self, rows):
        out = []
        for r in rows:
            rec = dict(zip(self.cols, r))
            first, last = rec.get("first_name"), rec.get("last_name")
            if first is None and rec.get("name"):
                parts = rec["name"].split(" ", 1)
                first, last = parts[0], parts[1] if len(parts) > 1 else ""
            vals = [rec.get("email") or "", first or "", last or ""]
            vals += [rec.get(c.lower()) or "" for c in self.rest]
            out.append(self.line(vals))
        return "".join(out)

    @staticmethod
    def line(vals):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(vals)
        return buf.getvalue()


def main():
    mc = Mailchimp()
    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        rid, kind = req.get("id"), req.get("type")
        try:
            if kind == "describe":
                rep = {"name": "jargon", "version": "1.0", "abi": 1,
                       "summary": "buzzword scorer, plain-language writer, Mailchimp CSV",
                       "scorers": SCORERS, "providers": PROVIDERS, "exporters": EXPORTERS}
            elif kind == "score":
                rep = score(req)
            elif kind == "generate":
                rep = generate(req)
            elif kind == "export":
                phase = req.get("phase")
                if phase == "begin":
                    rep = {"output": mc.begin(req.get("columns", []))}
                elif phase == "rows":
                    rep = {"output": mc.rows(req.get("rows", []))}
                else:
                    rep = {"output": ""}
            else:
                raise ValueError(f"unknown request type {kind!r}")
            rep.update({"id": rid, "ok": True})
        except Exception as e:  # report, keep serving
            rep = {"id": rid, "ok": False, "error": str(e)}
        sys.stdout.write(json.dumps(rep, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
