#!/usr/bin/env python3
"""A mock Anthropic Messages API server for copylab's tests.

Run: python3 tests/mock_anthropic.py [--port 0] [--latency-ms N]
Prints its port, then serves POST /v1/messages (streamed or not) on
127.0.0.1. The [mock:...] directives of mock_openai.py apply (latency, chunk,
status, times, retry_after, drop, malformed, trickle, streamerror, auth=KEY
checked against the x-api-key header); /_stats and /_reset as there.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mock_openai  # noqa: E402


class Handler(mock_openai.Handler):
    server_version = "mock-anthropic/1"

    def handle_completion(self, raw, seq):
        st = self.server.state
        try:
            req = json.loads(raw or b"{}")
        except ValueError:
            self.write(self.send_all(400, json.dumps({"type": "error", "error": {
                "type": "invalid_request_error", "message": "bad JSON"}})))
            return
        text, d, hits, active = self.note_request(req, seq)
        latency = float(d.get("latency", st.latency_ms)) / 1000.0
        if latency > 0:
            mock_openai.time.sleep(latency)
        if "auth" in d and self.headers.get("x-api-key") != mock_openai.expected_key(d):
            self.write(self.send_all(401, json.dumps({"type": "error", "error": {
                "type": "authentication_error", "message": "invalid x-api-key"}})))
            return
        if not req.get("max_tokens"):
            self.write(self.send_all(400, json.dumps({"type": "error", "error": {
                "type": "invalid_request_error", "message": "max_tokens: Field required"}})))
            return
        if "status" in d and active:
            code = int(d["status"])
            extra = {"Retry-After": d["retry_after"]} if "retry_after" in d else None
            self.write(self.send_all(code, json.dumps({"type": "error", "error": {
                "type": "overloaded_error" if code >= 500 else "rate_limit_error",
                "message": f"mock failure {code}"}}), extra=extra))
            return
        model = req.get("model") or "claude-mock"
        if "malformed" in d:
            content = 'Here you go: {subject: "oops"'
        else:
            content = json.dumps(mock_openai.copy_fields(seq, text), ensure_ascii=False)
        tin, tout = max(1, len(text) // 4), max(1, len(content) // 4)
        if not req.get("stream"):
            body = json.dumps({"id": f"msg_{seq}", "type": "message", "role": "assistant",
                               "model": model, "content": [{"type": "text", "text": content}],
                               "stop_reason": "end_turn",
                               "usage": {"input_tokens": tin, "output_tokens": tout}},
                              ensure_ascii=False).encode()
            self.finish_body(200, body, "application/json", d, active)
            return
        ev = []

        def add(name, obj):
            ev.append(f"event: {name}\ndata: {json.dumps(obj, ensure_ascii=False)}\n\n")
        add("message_start", {"type": "message_start", "message": {
            "id": f"msg_{seq}", "type": "message", "role": "assistant", "model": model,
            "content": [], "usage": {"input_tokens": tin, "output_tokens": 1}}})
        add("content_block_start", {"type": "content_block_start", "index": 0,
                                    "content_block": {"type": "text", "text": ""}})
        ev.append("event: ping\ndata: {\"type\": \"ping\"}\n\n")
        for i in range(0, len(content), 6):
            add("content_block_delta", {"type": "content_block_delta", "index": 0,
                                        "delta": {"type": "text_delta", "text": content[i:i + 6]}})
            if i == 0 and "streamerror" in d:
                add("error", {"type": "error", "error": {"type": "overloaded_error",
                                                         "message": "Overloaded"}})
        add("content_block_stop", {"type": "content_block_stop", "index": 0})
        add("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                              "usage": {"output_tokens": tout}})
        add("message_stop", {"type": "message_stop"})
        self.finish_body(200, "".join(ev).encode(), "text/event-stream", d, active)


if __name__ == "__main__":
    mock_openai.main(Handler)
