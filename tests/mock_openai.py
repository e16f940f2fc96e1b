#!/usr/bin/env python3
"""A mock OpenAI-compatible Chat Completions server for copylab's tests and bench.

Run: python3 tests/mock_openai.py [--port 0] [--latency-ms N]
It prints the port it listens on (first line of stdout), then serves on
127.0.0.1 until killed.

Endpoints
  POST /v1/chat/completions   streamed (SSE) or not, per the request's "stream"
  GET  /v1/models             a model list (needs no key, like llama.cpp)
  GET  /_stats                {"max_concurrency", "requests", "connections", "log": [...]}
  POST /_reset                forget counters, the log and the concurrency peak

Behaviour per request, from [mock:...] directives anywhere in the messages or
in an "X-Mock" header ("k=v;k2=v2"):
  latency=MS        wait before replying (default: --latency-ms)
  chunk=1           write the reply one byte at a time
  status=CODE       reply with that HTTP error (with an error JSON)
  times=K           ... only for the first K requests carrying the same directives
  slow_after=K      requests after the first K (same directives) wait slow_ms (default 5000)
  retry_after=S     add a Retry-After header to the error
  drop              close the connection halfway through the body (times=K applies)
  malformed         the model's content is not JSON
  badchunk          one SSE chunk holds broken JSON (the rest is fine)
  trickle           send one byte every 100 ms, never finishing
  streamerror       a 200 stream whose second event is an error object
  llama             llama.cpp style: usage in the finish chunk, extra "timings", no role
  nodone            no "data: [DONE]" at the end
  echokey           reply 401 quoting the Authorization header back
  newparams         refuse max_tokens and a temperature (as OpenAI's reasoning models do)
  cut=N             report N prompt tokens (as a server that cut the prompt does)
  intcode           error JSON with an integer code and no "param" (llama.cpp)
  auth=KEY          reply 401 unless "Authorization: Bearer KEY"; a bare "auth"
                    expects the key in the mock's own $MOCK_API_KEY (so tests need not
                    put the key in a prompt that gets stored)
The reply's content is a JSON object with common copy fields when the
request asked for response_format json_object, else plain text.
"""
import argparse
import hashlib
import json
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIRECTIVE = re.compile(r"\[mock:([^\]]*)\]")


class State:
    def __init__(self, latency_ms):
        self.lock = threading.Lock()
        self.latency_ms = latency_ms
        self.active = 0
        self.epoch = 0
        self.connections = 0
        self.max_active = 0
        self.count = 0
        self.counters = {}
        self.log = []


def parse_directives(text):
    d = {}
    for m in DIRECTIVE.finditer(text or ""):
        for part in re.split(r"[;,\s]+", m.group(1).strip()):
            if not part:
                continue
            k, _, v = part.partition("=")
            d[k] = v if v else "1"
    return d


def expected_key(d):
    import os
    return d["auth"] if d["auth"] != "1" else os.environ.get("MOCK_API_KEY", "")


def copy_fields(seed, prompt):
    h = hashlib.sha256((prompt + str(seed)).encode()).hexdigest()[:6]
    return {
        "subject": f"Spring offer {seed}: save today 限时优惠 🎉",
        "preheader": f"Fresh picks chosen for you ({h})",
        "body": f"Our new collection is here. Variant {seed} says: treat yourself — 新品上市 🚀.",
        "cta": "Shop now",
        "text": f"Short copy {seed} ✨",
        "title": f"Title {seed}",
        "headline": f"Headline {seed}",
        "description": f"Description {seed}",
        "caption": f"Caption {seed}",
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mock-openai/1"

    def log_message(self, fmt, *args):
        pass

    # --- plumbing -------------------------------------------------------
    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn_counted = False     # one handler per connection

    def send_all(self, status, body, ctype="application/json", extra=None, length=None):
        """One write: status line, headers and body together."""
        if isinstance(body, str):
            body = body.encode()
        reason = {200: "OK", 401: "Unauthorized", 429: "Too Many Requests",
                  500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Error")
        head = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}",
                f"Content-Length: {len(body) if length is None else length}"]
        for k, v in (extra or {}).items():
            head.append(f"{k}: {v}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        return data

    def write(self, data, chunk=False):
        self.leave()
        if chunk:
            for i in range(len(data)):
                self.connection.sendall(data[i:i + 1])
        else:
            self.connection.sendall(data)

    def do_GET(self):
        st = self.server.state
        if self.path.startswith("/_stats"):
            with st.lock:
                body = json.dumps({"max_concurrency": st.max_active, "requests": st.count,
                                   "connections": st.connections, "log": st.log})
            self.write(self.send_all(200, body))
        elif self.path.rstrip("/").endswith("/models"):
            self.write(self.send_all(200, json.dumps(
                {"object": "list", "data": [{"id": "mock-model", "object": "model"}]})))
        else:
            self.write(self.send_all(404, json.dumps({"error": {"message": "not found"}})))

    def do_POST(self):
        st = self.server.state
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if self.path.startswith("/_reset"):
            with st.lock:
                st.counters.clear()
                st.log.clear()
                st.max_active = 0
                st.active = 0
                st.connections = 0
                st.epoch += 1
                st.count = 0
            self.write(self.send_all(200, "{}"))
            return
        with st.lock:
            st.active += 1
            st.count += 1
            seq = st.count
            st.max_active = max(st.max_active, st.active)
            self.epoch = st.epoch
            if not self.conn_counted:     # connections that carried a completion
                self.conn_counted = True
                st.connections += 1
        self.counted = True
        try:
            self.handle_completion(raw, seq)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self.leave()

    def leave(self):
        """This request no longer counts as active (called before the last write,
        so a client that starts its next request at once is not counted twice)."""
        st = self.server.state
        if getattr(self, "counted", False):
            self.counted = False
            with st.lock:
                if self.epoch == st.epoch:
                    st.active -= 1

    # --- behaviour ------------------------------------------------------
    def request_text(self, req):
        parts = []
        if isinstance(req.get("system"), str):
            parts.append(req["system"])
        for m in req.get("messages") or []:
            c = m.get("content")
            parts.append(c if isinstance(c, str) else json.dumps(c))
        return "\n".join(parts)

    def note_request(self, req, seq):
        """Log req and read its [mock:...] directives (and the X-Mock header's).
        Returns (text, directives, hits, active): hits counts the requests with
        these directives so far, active is false once times=N is used up."""
        st = self.server.state
        text = self.request_text(req)
        d = parse_directives(text)
        d.update(parse_directives("[mock:" + self.headers.get("X-Mock", "") + "]"))
        key = json.dumps(sorted(d.items()))
        with st.lock:
            st.log.append({"seq": seq, "path": self.path, "headers": dict(self.headers.items()),
                           "body": req})
            hits = st.counters.get(key, 0) + 1
            st.counters[key] = hits
        times = int(d.get("times", "0") or 0)
        active = times == 0 or hits <= times
        return text, d, hits, active

    def handle_completion(self, raw, seq):
        st = self.server.state
        try:
            req = json.loads(raw or b"{}")
        except ValueError:
            self.write(self.send_all(500, json.dumps(
                {"error": {"code": 500, "message": "Failed to parse JSON", "type": "server_error"}})))
            return
        text, d, hits, active = self.note_request(req, seq)
        latency = float(d.get("latency", st.latency_ms)) / 1000.0
        if "slow_after" in d and hits > int(d["slow_after"]):
            latency = float(d.get("slow_ms", "5000")) / 1000.0
        if latency > 0:
            time.sleep(latency)
        if "echokey" in d:            # a careless server that quotes the key back
            self.write(self.send_all(401, json.dumps({"error": {
                "message": "Incorrect API key provided: " + self.headers.get("Authorization", ""),
                "type": "invalid_request_error", "code": "invalid_api_key"}})))
            return
        if "auth" in d and self.headers.get("Authorization") != "Bearer " + expected_key(d):
            self.write(self.send_all(401, json.dumps({"error": {
                "message": "Invalid API key", "type": "authentication_error", "code": 401}})))
            return
        if "newparams" in d and "max_tokens" in req:     # OpenAI's reasoning models
            self.write(self.send_all(400, json.dumps({"error": {
                "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
                           "Use 'max_completion_tokens' instead.", "type": "invalid_request_error",
                "param": "max_tokens", "code": "unsupported_parameter"}})))
            return
        if "newparams" in d and "temperature" in req and req["temperature"] != 1:
            self.write(self.send_all(400, json.dumps({"error": {
                "message": "Unsupported value: 'temperature' does not support 0.7 with this model. "
                           "Only the default (1) value is supported.", "type": "invalid_request_error",
                "param": "temperature", "code": "unsupported_value"}})))
            return
        if "status" in d and active:
            code = int(d["status"])
            extra = {"Retry-After": d["retry_after"]} if "retry_after" in d else None
            if "intcode" in d:
                err = {"error": {"code": code, "message": f"mock failure {code}", "type": "server_error"}}
            else:
                err = {"error": {"code": "mock_error", "message": f"mock failure {code}",
                                 "type": "server_error", "param": None}}
            self.write(self.send_all(code, json.dumps(err), extra=extra))
            return
        self.reply(req, d, seq, active)

    def content_for(self, req, d, seq):
        rf = (req.get("response_format") or {}).get("type")
        if "malformed" in d:
            return 'Sure! Here is your copy: {subject: "oops", body: broken'
        prompt = self.request_text(req)
        if rf == "json_object" or "json" in d:
            return json.dumps(copy_fields(seq, prompt), ensure_ascii=False) + "\n"
        return f"Reply {seq}: a fresh line of copy — 新品上市 🎉 ({len(prompt)} chars in)."

    def usage(self, req, content, d=None):
        if d and "cut" in d:          # a server that cut the prompt to its context
            return {"prompt_tokens": int(d["cut"]), "completion_tokens": max(1, len(content) // 4),
                    "total_tokens": 0}
        return {"prompt_tokens": max(1, len(self.request_text(req)) // 4),
                "completion_tokens": max(1, len(content) // 4),
                "total_tokens": 0}

    def reply(self, req, d, seq, active):
        model = req.get("model") or "gpt-3.5-turbo"
        content = self.content_for(req, d, seq)
        usage = self.usage(req, content, d)
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if not req.get("stream"):
            body = json.dumps({"id": f"chatcmpl-{seq}", "object": "chat.completion", "model": model,
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": content}}],
                               "usage": usage}, ensure_ascii=False).encode()
            self.finish_body(200, body, "application/json", d, active)
            return
        events = []
        pieces = [content[i:i + 7] for i in range(0, len(content), 7)] or [""]
        llama = "llama" in d
        for i, p in enumerate(pieces):
            delta = {"content": p}
            if i == 0 and not llama:
                delta["role"] = "assistant"
            chunk = {"id": f"chatcmpl-{seq}", "object": "chat.completion.chunk", "model": model,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            if llama:
                chunk["timings"] = {"predicted_ms": 1.5}
            events.append(json.dumps(chunk, ensure_ascii=False))
            if i == 0 and "badchunk" in d:
                events.append('{"choices": [{"delta": {"content": "broken')
            if i == 0 and "streamerror" in d:
                events.append(json.dumps({"error": {"message": "the model crashed mid-stream",
                                                    "type": "server_error", "code": 500}}))
        fin = {"id": f"chatcmpl-{seq}", "object": "chat.completion.chunk", "model": model,
               "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        if llama:
            fin["usage"] = usage
        events.append(json.dumps(fin))
        if not llama and (req.get("stream_options") or {}).get("include_usage"):
            events.append(json.dumps({"id": f"chatcmpl-{seq}", "object": "chat.completion.chunk",
                                      "model": model, "choices": [], "usage": usage}))
        if "nodone" not in d:
            events.append("[DONE]")
        body = "".join(f"data: {e}\n\n" for e in events).encode()
        self.finish_body(200, body, "text/event-stream", d, active)

    def finish_body(self, status, body, ctype, d, active):
        if "trickle" in d:
            self.connection.sendall(self.send_all(status, b"", ctype, length=len(body) + 100000))
            for i in range(300):
                self.connection.sendall(b":")
                time.sleep(0.1)
            self.close_connection = True
            return
        if "drop" in d and active:
            data = self.send_all(status, body, ctype)
            self.connection.sendall(data[:len(data) - len(body) // 2])
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.write(self.send_all(status, body, ctype), chunk="chunk" in d)


class Server(ThreadingHTTPServer):
    # The default backlog of 5 drops SYNs when 16 clients connect at once,
    # and the kernel's 1 s SYN retry would be counted as the client's delay.
    request_queue_size = 128
    daemon_threads = True


def make_server(port=0, latency_ms=0, handler=Handler):
    srv = Server(("127.0.0.1", port), handler)
    srv.daemon_threads = True
    srv.state = State(latency_ms)
    return srv


def main(handler=Handler):
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency-ms", type=float, default=0)
    a = ap.parse_args()
    srv = make_server(a.port, a.latency_ms, handler)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
