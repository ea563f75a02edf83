"""A JSON-RPC client that drives kamc-lsp over stdio, for the tests and the bench."""
import json
import os
import queue
import subprocess
import threading
import time


class LspClient:
    def __init__(self, server, args=(), cwd=None):
        self.proc = subprocess.Popen([server, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=cwd)
        self.next_id = 0
        self.messages = queue.Queue()
        self.notifications = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.messages.put((time.monotonic(), json.loads(body)))

    def send_raw(self, data: bytes):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message):
        body = json.dumps(message).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request_async(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def wait_for(self, predicate, timeout=20):
        """The first message (already received or arriving) for which predicate holds."""
        for i, (_, m) in enumerate(self.notifications):
            if predicate(m):
                del self.notifications[i]
                return m
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching message from the server")
            item = self.messages.get(timeout=left)
            if item is None:
                raise EOFError("the server closed its output")
            if predicate(item[1]):
                return item[1]
            self.notifications.append(item)

    def response(self, rid, timeout=20):
        return self.wait_for(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def request(self, method, params, timeout=20):
        return self.response(self.request_async(method, params), timeout)

    def diagnostics(self, uri, version=None, timeout=20):
        def match(m):
            if m.get("method") != "textDocument/publishDiagnostics" or m["params"]["uri"] != uri:
                return False
            return version is None or m["params"].get("version") == version
        return self.wait_for(match, timeout)["params"]

    def initialize(self, root=None, encodings=None):
        params = {"processId": os.getpid(), "capabilities": {}}
        if root:
            params["rootUri"] = uri(root)
        if encodings:
            params["capabilities"]["general"] = {"positionEncodings": encodings}
        result = self.request("initialize", params)
        self.notify("initialized", {})
        return result

    def open(self, path, text=None, version=1):
        if text is None:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri(path), "languageId": "kamailio", "version": version, "text": text}})

    def shutdown(self):
        r = self.request("shutdown", None)
        self.notify("exit", None)
        code = self.proc.wait(timeout=20)
        self.kill()
        return r, code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdin.close()
        self.reader.join(timeout=5)
        self.proc.stdout.close()


def uri(path):
    from urllib.parse import quote
    return "file://" + quote(os.path.abspath(path))
