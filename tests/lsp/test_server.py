#!/usr/bin/env python3
"""kamc-lsp driven over stdio by a JSON-RPC client: initialize, didOpen,
didChange and every feature, on small multi-file workspaces with includes and
on the corpus configs, with exact expected results; and bad input, which must
get JSON-RPC errors and never crash the server."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import LspClient, uri  # noqa: E402

SERVER = None
CORPUS = None
KAMC = None
CFGCHECK = None

MAIN = (
    'loadmodule "tm.so"\n'               # 0
    'loadmodule "sl.so"\n'               # 1
    '#!define CODE 404\n'                # 2
    'modparam("tm", "fr_timer", 5000)\n'  # 3
    'include_file "routes.cfg"\n'        # 4
    'request_route {\n'                  # 5
    '  route(RELAY);\n'                  # 6
    '  t_on_failure("MISS");\n'          # 7
    '  sl_send_reply(CODE, "x");\n'      # 8
    '}\n')                               # 9
ROUTES = (
    'route[RELAY] {\n'                   # 0
    '  t_relay();\n'                     # 1
    '}\n'                                # 2
    'failure_route[MISS] {\n'            # 3
    '  drop;\n'                          # 4
    '}\n')                               # 5


def rng(l1, c1, l2, c2):
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}


def pos(line, character):
    return {"line": line, "character": character}


class Workspace:
    def __init__(self, files):
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="kamc-lsp-"))
        for name, text in files.items():
            with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
                f.write(text)

    def path(self, name):
        return os.path.join(self.dir, name)

    def uri(self, name):
        return uri(self.path(name))

    def remove(self):
        shutil.rmtree(self.dir)


class ServerTest(unittest.TestCase):
    files = {"main.cfg": MAIN, "routes.cfg": ROUTES}

    def setUp(self):
        self.ws = Workspace(self.files)
        self.client = LspClient(SERVER, ["--debounce-ms", "0"], cwd=self.ws.dir)
        self.init = self.client.initialize(self.ws.dir)

    def tearDown(self):
        self.client.kill()
        self.ws.remove()

    def req(self, method, params):
        r = self.client.request(method, params)
        self.assertNotIn("error", r, r)
        return r["result"]

    def at(self, name, line, character):
        return {"textDocument": {"uri": self.ws.uri(name)}, "position": pos(line, character)}

    def open(self, name, text=None, version=1):
        self.client.open(self.ws.path(name), text, version)
        return self.client.diagnostics(self.ws.uri(name), version)

    def change(self, name, version, changes):
        self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": self.ws.uri(name), "version": version}, "contentChanges": changes})


class Lifecycle(ServerTest):
    def test_initialize_announces_the_features_and_the_encoding(self):
        caps = self.init["result"]["capabilities"]
        self.assertEqual(caps["positionEncoding"], "utf-16")
        self.assertEqual(caps["textDocumentSync"]["change"], 2)
        for cap in ("hoverProvider", "definitionProvider", "referencesProvider", "documentHighlightProvider",
                    "documentSymbolProvider"):
            self.assertTrue(caps[cap], cap)
        self.assertEqual(self.init["result"]["serverInfo"]["name"], "kamc-lsp")

    def test_a_client_offering_utf8_gets_utf8(self):
        c = LspClient(SERVER)
        try:
            r = c.initialize(self.ws.dir, ["utf-8", "utf-16"])
            self.assertEqual(r["result"]["capabilities"]["positionEncoding"], "utf-8")
        finally:
            c.kill()

    def test_kamc_lsp_starts_the_same_server(self):
        c = LspClient(KAMC, ["lsp"])
        try:
            r = c.initialize(self.ws.dir)
            self.assertEqual(r["result"]["serverInfo"]["name"], "kamc-lsp")
        finally:
            c.kill()

    def test_shutdown_then_exit_ends_with_status_0_and_exit_alone_with_1(self):
        r, code = self.client.shutdown()
        self.assertEqual((r["result"], code), (None, 0))
        c = LspClient(SERVER)
        c.initialize()
        c.notify("exit", None)
        self.assertEqual(c.proc.wait(timeout=20), 1)


class Diagnostics(ServerTest):
    def test_a_clean_workspace_publishes_empty_diagnostics_for_the_root_and_the_fragment(self):
        self.assertEqual(self.open("main.cfg")["diagnostics"], [])
        self.assertEqual(self.open("routes.cfg")["diagnostics"], [])

    def test_a_fragment_is_checked_in_the_context_of_its_root(self):
        # t_relay comes from tm, loaded only by main.cfg: alone, routes.cfg would be an error.
        self.assertEqual(self.open("routes.cfg")["diagnostics"], [])

    def test_didchange_republishes_with_the_rule_id_and_range(self):
        self.open("main.cfg")
        self.change("main.cfg", 2, [{"range": rng(8, 2, 8, 15), "text": "sl_send_replyy"}])
        d = self.client.diagnostics(self.ws.uri("main.cfg"), 2)["diagnostics"]
        self.assertEqual(len(d), 1)
        self.assertEqual(d[0]["code"], "kamc-unknown-function")
        self.assertEqual(d[0]["range"], rng(8, 2, 8, 27))
        self.assertEqual(d[0]["severity"], 1)
        self.assertEqual(d[0]["source"], "kamc")
        self.assertIn("did you mean 'sl_send_reply'?", d[0]["message"])

    def test_an_edit_of_the_open_fragment_is_seen_by_its_root_with_the_include_chain(self):
        self.open("main.cfg")
        self.open("routes.cfg")
        self.change("routes.cfg", 2, [{"range": rng(4, 2, 4, 7), "text": "xlog(\"x\");"}])
        d = self.client.diagnostics(self.ws.uri("routes.cfg"), 2)["diagnostics"]
        self.assertEqual([x["code"] for x in d], ["kamc-module-not-loaded"])
        self.assertEqual(d[0]["range"], rng(4, 2, 4, 11))
        self.assertEqual(d[0]["relatedInformation"][-1],
                         {"location": {"uri": self.ws.uri("main.cfg"), "range": rng(4, 0, 4, 12)},
                          "message": "included from here"})

    def test_suppression_comments_are_honoured(self):
        d = self.open("main.cfg", MAIN.replace('  sl_send_reply(CODE', '  # cfgcheck: disable=kamc-unknown-function\n'
                                               '  sl_send_replyy(CODE'))
        self.assertEqual(d["diagnostics"], [])

    def test_pull_diagnostics_match_the_pushed_ones(self):
        text = MAIN.replace("sl_send_reply(", "sl_send_replyy(")
        pushed = self.open("main.cfg", text)["diagnostics"]
        pulled = self.req("textDocument/diagnostic", {"textDocument": {"uri": self.ws.uri("main.cfg")}})
        self.assertEqual(pulled, {"kind": "full", "items": pushed})

    def test_an_included_file_changed_on_disk_is_read_again(self):
        self.open("main.cfg")
        with open(self.ws.path("routes.cfg"), "w") as f:
            f.write(ROUTES.replace("route[RELAY]", "route[FORWARD]"))
        self.client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": self.ws.uri("routes.cfg"), "type": 2}]})
        # main.cfg's route(RELAY) now names a block that the file on disk no longer has.
        d = self.client.diagnostics(self.ws.uri("main.cfg"), 1)["diagnostics"]
        self.assertEqual([(x["code"], x["range"]["start"]["line"]) for x in d], [("kamc-undefined-route", 6)])

    def test_an_added_workspace_folder_makes_its_fragments_analysed_in_their_root(self):
        other = Workspace({"root.cfg": 'loadmodule "tm.so"\ninclude_file "part.cfg"\n',
                           "part.cfg": "request_route {\n  t_relay();\n}\n"})
        try:
            self.client.notify("workspace/didChangeWorkspaceFolders",
                               {"event": {"added": [{"uri": other.uri("root.cfg").rsplit("/", 1)[0], "name": "o"}],
                                          "removed": []}})
            self.client.open(other.path("part.cfg"))
            # t_relay comes from tm, which only root.cfg loads.
            self.assertEqual(self.client.diagnostics(other.uri("part.cfg"), 1)["diagnostics"], [])
        finally:
            other.remove()

    def test_a_removed_workspace_folder_is_forgotten_without_a_restart(self):
        other = Workspace({"root.cfg": 'loadmodule "tm.so"\ninclude_file "part.cfg"\nroute[ELSEWHERE] {\n  drop;\n}\n',
                           "part.cfg": "request_route {\n  t_relay();\n  route(ELSEWHERE);\n}\n"})
        folder = {"uri": other.uri("root.cfg").rsplit("/", 1)[0], "name": "o"}
        try:
            self.client.notify("workspace/didChangeWorkspaceFolders", {"event": {"added": [folder], "removed": []}})
            self.client.open(other.path("part.cfg"))
            self.assertEqual(self.client.diagnostics(other.uri("part.cfg"), 1)["diagnostics"], [])
            symbols = self.req("workspace/symbol", {"query": "ELSEWHERE"})
            self.assertEqual([(s["name"], s["location"]["uri"]) for s in symbols],
                             [("route[ELSEWHERE]", other.uri("root.cfg"))])
            self.client.notifications.clear()  # the symbols' analysis of root.cfg published part.cfg's again

            self.client.notify("workspace/didChangeWorkspaceFolders", {"event": {"added": [], "removed": [folder]}})
            # part.cfg, still open, is now its own root: no tm, no route[ELSEWHERE].
            d = self.client.diagnostics(other.uri("part.cfg"), 1)["diagnostics"]
            self.assertEqual([(x["code"], x["range"]["start"]["line"]) for x in d],
                             [("kamc-module-not-loaded", 1), ("kamc-undefined-route", 2)])
            self.assertEqual(self.req("workspace/symbol", {"query": "ELSEWHERE"}), [])
            # Added again, the folder is scanned afresh and part.cfg is back in its root.
            self.client.notifications.clear()  # everything published before the answer above
            self.client.notify("workspace/didChangeWorkspaceFolders", {"event": {"added": [folder], "removed": []}})
            self.assertEqual(self.client.diagnostics(other.uri("part.cfg"), 1)["diagnostics"], [])
            self.assertEqual(len(self.req("workspace/symbol", {"query": "ELSEWHERE"})), 1)
        finally:
            other.remove()

    def test_didclose_clears_the_diagnostics(self):
        self.open("main.cfg", MAIN.replace("sl_send_reply(", "sl_send_replyy("))
        self.client.notify("textDocument/didClose", {"textDocument": {"uri": self.ws.uri("main.cfg")}})
        self.assertEqual(self.client.diagnostics(self.ws.uri("main.cfg"))["diagnostics"], [])


class Navigation(ServerTest):
    def setUp(self):
        super().setUp()
        self.open("main.cfg")
        self.open("routes.cfg")

    def test_hover_on_a_module_function(self):
        h = self.req("textDocument/hover", self.at("main.cfg", 8, 5))
        self.assertEqual(h["range"], rng(8, 2, 8, 15))
        value = h["contents"]["value"]
        self.assertTrue(value.startswith("```kamailio\nsl_send_reply(int, spv)\n```\n"), value)
        self.assertIn("Module: `sl`", value)
        self.assertIn("Allowed in: request_route", value)

    def test_hover_on_a_define_shows_its_expansion(self):
        h = self.req("textDocument/hover", self.at("main.cfg", 8, 17))
        self.assertEqual(h, {"contents": {"kind": "markdown",
                                          "value": "```kamailio\n#!define CODE 404\n```\nExpands to: `404`"},
                             "range": rng(8, 16, 8, 20)})

    def test_hover_on_nothing_is_null(self):
        self.assertIsNone(self.req("textDocument/hover", self.at("main.cfg", 9, 0)))

    def test_definition_of_a_route_in_an_included_file(self):
        self.assertEqual(self.req("textDocument/definition", self.at("main.cfg", 6, 9)),
                         [{"uri": self.ws.uri("routes.cfg"), "range": rng(0, 6, 0, 11)}])

    def test_definition_of_a_string_armed_failure_route(self):
        self.assertEqual(self.req("textDocument/definition", self.at("main.cfg", 7, 17)),
                         [{"uri": self.ws.uri("routes.cfg"), "range": rng(3, 14, 3, 18)}])

    def test_references_of_a_route_across_files(self):
        refs = self.req("textDocument/references",
                        dict(self.at("routes.cfg", 0, 7), context={"includeDeclaration": True}))
        self.assertEqual(refs, [{"uri": self.ws.uri("routes.cfg"), "range": rng(0, 6, 0, 11)},
                                {"uri": self.ws.uri("main.cfg"), "range": rng(6, 8, 6, 13)}])

    def test_references_of_a_define_and_its_highlight(self):
        refs = self.req("textDocument/references",
                        dict(self.at("main.cfg", 2, 10), context={"includeDeclaration": False}))
        self.assertEqual(refs, [{"uri": self.ws.uri("main.cfg"), "range": rng(8, 16, 8, 20)}])
        hl = self.req("textDocument/documentHighlight", self.at("main.cfg", 8, 17))
        self.assertEqual(hl, [{"range": rng(2, 9, 2, 13), "kind": 1}, {"range": rng(8, 16, 8, 20), "kind": 1}])

    def test_document_symbols_are_a_tree(self):
        syms = self.req("textDocument/documentSymbol", {"textDocument": {"uri": self.ws.uri("main.cfg")}})
        self.assertEqual([(s["name"], s["kind"]) for s in syms],
                         [("CODE", 14), ("tm", 2), ("sl", 2), ("request_route", 12)])
        self.assertEqual([(c["name"], c["kind"]) for c in syms[1]["children"]], [("fr_timer", 7)])
        syms = self.req("textDocument/documentSymbol", {"textDocument": {"uri": self.ws.uri("routes.cfg")}})
        self.assertEqual([s["name"] for s in syms], ["route[RELAY]", "failure_route[MISS]"])


class Hover(ServerTest):
    files = {"main.cfg": MAIN.replace('include_file "routes.cfg"\n', "children=4\n"), "routes.cfg": ROUTES}

    def hover(self, line, character):
        return self.req("textDocument/hover", self.at("main.cfg", line, character))

    def test_exact_hover_texts(self):
        self.open("main.cfg")
        self.assertEqual(self.hover(3, 18), {"contents": {"kind": "markdown", "value":
            '```kamailio\nmodparam("tm", "fr_timer", int)\n```\nDefault: `30000`\n\nTimer which hits if no final reply for a request '
            "or ACK for a negative INVITE reply arrives (in milliseconds)."}, "range": rng(3, 15, 3, 25)})
        self.assertEqual(self.hover(4, 3), {"contents": {"kind": "markdown", "value":
            "```kamailio\nchildren = <int>\n```\nDefault: `8`\n\nNumber of UDP worker processes per socket"},
            "range": rng(4, 0, 4, 8)})
        self.assertEqual(self.hover(0, 13), {"contents": {"kind": "markdown", "value":
            "Module `tm`: The TM module enables stateful processing of SIP transactions.\n\n79 functions, 54 parameters"},
            "range": rng(0, 11, 0, 18)})


class Completion(ServerTest):
    def setUp(self):
        super().setUp()
        self.open("main.cfg")

    def complete(self, version, line, character, changes):
        self.change("main.cfg", version, changes)
        return self.req("textDocument/completion", self.at("main.cfg", line, character))["items"]

    def test_route_names_inside_route(self):
        items = self.complete(2, 6, 9, [{"range": rng(6, 8, 6, 13), "text": "R"}])
        self.assertEqual([(i["label"], i["kind"]) for i in items], [("RELAY", 18)])

    def test_a_loaded_function_as_a_snippet(self):
        items = self.complete(2, 8, 7, [{"range": rng(8, 2, 8, 27), "text": "sl_se"}])
        self.assertEqual(items[0]["label"], "sl_send_reply")
        self.assertEqual(items[0]["insertText"], 'sl_send_reply(${1:int}, "${2:spv}")')
        self.assertEqual(items[0]["insertTextFormat"], 2)
        self.assertNotIn("additionalTextEdits", items[0])

    def test_a_function_of_a_module_not_loaded_adds_the_loadmodule_line(self):
        items = self.complete(2, 8, 5, [{"range": rng(8, 2, 8, 27), "text": "xlo"}])
        xlog = [i for i in items if i["label"] == "xlog"]
        self.assertEqual(len(xlog), 1)
        self.assertEqual(xlog[0]["additionalTextEdits"], [{"range": rng(2, 0, 2, 0), "newText": 'loadmodule "xlog.so"\n'}])

    def test_modparam_names_of_the_module(self):
        items = self.complete(2, 3, 19, [{"range": rng(3, 16, 3, 24), "text": "fr_"}])
        labels = [i["label"] for i in items]
        self.assertIn("fr_inv_timer", labels)
        self.assertTrue(all(label.startswith("fr_") for label in labels))


class Editing(ServerTest):
    def setUp(self):
        super().setUp()
        self.open("main.cfg")
        self.open("routes.cfg")

    def test_signature_help_inside_a_call(self):
        self.change("main.cfg", 2, [{"range": rng(8, 2, 8, 27), "text": 'sl_send_reply("404", '}])
        s = self.req("textDocument/signatureHelp", self.at("main.cfg", 8, 23))
        self.assertEqual(s["signatures"][0]["label"], "sl_send_reply(int, spv)")
        self.assertEqual(s["signatures"][0]["parameters"], [{"label": [14, 17]}, {"label": [19, 22]}])
        self.assertEqual(s["activeParameter"], 1)

    def test_quick_fixes_for_a_misspelt_function_and_a_missing_loadmodule(self):
        self.change("main.cfg", 2, [{"range": rng(8, 2, 8, 27), "text": 'sl_send_replyy("404", "x"); xlog("x");'}])
        d = self.client.diagnostics(self.ws.uri("main.cfg"), 2)["diagnostics"]
        self.assertEqual([x["code"] for x in d], ["kamc-unknown-function", "kamc-module-not-loaded"])
        actions = self.req("textDocument/codeAction", {"textDocument": {"uri": self.ws.uri("main.cfg")},
                                                       "range": rng(8, 0, 8, 40), "context": {"diagnostics": d}})
        self.assertEqual([(a["title"], a["kind"], a["isPreferred"]) for a in actions],
                         [("Change to 'sl_send_reply'", "quickfix", True), ('Add loadmodule "xlog.so"', "quickfix", True)])
        self.assertEqual(actions[0]["edit"], {"changes": {self.ws.uri("main.cfg"): [
            {"range": rng(8, 2, 8, 16), "newText": "sl_send_reply"}]}})
        self.assertEqual(actions[1]["edit"], {"changes": {self.ws.uri("main.cfg"): [
            {"range": rng(2, 0, 2, 0), "newText": 'loadmodule "xlog.so"\n'}]}})

    def test_quick_fix_creates_an_undefined_route(self):
        self.change("main.cfg", 2, [{"range": rng(6, 8, 6, 13), "text": "NEW"}])
        d = self.client.diagnostics(self.ws.uri("main.cfg"), 2)["diagnostics"]
        self.assertEqual([x["code"] for x in d], ["kamc-undefined-route"])
        actions = self.req("textDocument/codeAction", {"textDocument": {"uri": self.ws.uri("main.cfg")},
                                                       "range": rng(6, 9, 6, 9), "context": {"diagnostics": d}})
        self.assertEqual(actions[0]["title"], "Create route[NEW]")
        self.assertEqual(actions[0]["edit"], {"changes": {self.ws.uri("main.cfg"): [
            {"range": rng(9, 1, 9, 1), "newText": "\n\nroute[NEW] {\n}"}]}})

    def test_document_link_of_include_file(self):
        links = self.req("textDocument/documentLink", {"textDocument": {"uri": self.ws.uri("main.cfg")}})
        self.assertEqual(links, [{"range": rng(4, 14, 4, 24), "target": self.ws.uri("routes.cfg")}])

    def test_folding_ranges(self):
        self.assertEqual(self.req("textDocument/foldingRange", {"textDocument": {"uri": self.ws.uri("routes.cfg")}}),
                         [{"startLine": 0, "endLine": 2}, {"startLine": 3, "endLine": 5}])

    def test_semantic_tokens_full_and_range(self):
        legend = self.init["result"]["capabilities"]["semanticTokensProvider"]["legend"]
        self.assertEqual(legend["tokenTypes"], ["function", "variable", "macro", "string", "number", "keyword", "comment"])
        text = MAIN.replace("request_route {\n", "request_route {\n#!ifdef WITH_NOTHING\n  drop;\n#!endif\n")
        self.change("main.cfg", 2, [{"text": text}])
        data = self.req("textDocument/semanticTokens/full", {"textDocument": {"uri": self.ws.uri("main.cfg")}})["data"]
        tokens = [data[i:i + 5] for i in range(0, len(data), 5)]
        # loadmodule (line 0), loadmodule (1), modparam and its 5000 (3)
        self.assertEqual(tokens[:4], [[0, 0, 10, 5, 0], [1, 0, 10, 5, 0], [2, 0, 8, 5, 0], [0, 27, 4, 4, 0]])
        lines, line = [], 0
        for t in tokens:
            line += t[0]
            lines.append((line, t[3]))
        self.assertIn((7, 6), lines)  # the inactive "  drop;" is a comment token
        ranged = self.req("textDocument/semanticTokens/range", {"textDocument": {"uri": self.ws.uri("main.cfg")},
                                                                 "range": rng(7, 0, 8, 0)})["data"]
        self.assertEqual(ranged, [7, 0, 7, 6, 0])

    def test_call_hierarchy_across_files(self):
        items = self.req("textDocument/prepareCallHierarchy", self.at("main.cfg", 6, 9))
        self.assertEqual(items, [{"name": "route[RELAY]", "kind": 12, "detail": "route", "uri": self.ws.uri("routes.cfg"),
                                  "range": rng(0, 0, 2, 1), "selectionRange": rng(0, 6, 0, 11),
                                  "data": {"kind": 1, "key": "RELAY"}}])
        incoming = self.req("callHierarchy/incomingCalls", {"item": items[0]})
        self.assertEqual([(c["from"]["name"], c["fromRanges"]) for c in incoming], [("request_route", [rng(6, 8, 6, 13)])])
        main = self.req("textDocument/prepareCallHierarchy", self.at("main.cfg", 5, 3))
        outgoing = self.req("callHierarchy/outgoingCalls", {"item": main[0]})
        self.assertEqual([(c["to"]["name"], c["fromRanges"]) for c in outgoing],
                         [("route[RELAY]", [rng(6, 8, 6, 13)]), ("failure_route[MISS]", [rng(7, 16, 7, 20)])])
        r = self.client.request("callHierarchy/incomingCalls", {"item": {"name": "x"}})
        self.assertEqual(r["error"]["code"], -32602)

    def test_inlay_hints(self):
        hints = self.req("textDocument/inlayHint", {"textDocument": {"uri": self.ws.uri("main.cfg")}, "range": rng(8, 0, 9, 0)})
        self.assertEqual(hints, [{"position": pos(8, 16), "label": "int:", "kind": 2, "paddingRight": True},
                                 {"position": pos(8, 20), "label": "= 404", "kind": 1, "paddingLeft": True},
                                 {"position": pos(8, 22), "label": "spv:", "kind": 2, "paddingRight": True}])

    def test_workspace_symbols_of_every_root(self):
        syms = self.req("workspace/symbol", {"query": "man"})
        self.assertEqual(syms, [])
        syms = self.req("workspace/symbol", {"query": "miss"})
        self.assertEqual(syms, [{"name": "failure_route[MISS]", "kind": 12,
                                 "location": {"uri": self.ws.uri("routes.cfg"), "range": rng(3, 0, 5, 1)}}])

    def test_formatting_then_formatting_its_output_is_a_no_op(self):
        messy = (MAIN.replace("  route(RELAY);", "route(RELAY);").replace("  t_on_failure", "      t_on_failure")
                 .replace('("MISS");', '( "MISS" );'))
        self.change("main.cfg", 2, [{"text": messy}])
        opts = {"tabSize": 4, "insertSpaces": True}
        edits = self.req("textDocument/formatting", {"textDocument": {"uri": self.ws.uri("main.cfg")}, "options": opts})
        # The call's text as the AST printer writes it, in one edit with its indentation;
        # sl_send_reply(CODE, ...) uses a define, so only its indentation changes.
        self.assertEqual(edits, [{"range": rng(6, 0, 6, 0), "newText": "    "},
                                 {"range": rng(7, 0, 7, 29), "newText": '    t_on_failure("MISS");'},
                                 {"range": rng(8, 0, 8, 2), "newText": "    "}])
        ranged = self.req("textDocument/rangeFormatting", {"textDocument": {"uri": self.ws.uri("main.cfg")},
                                                           "range": rng(7, 0, 7, 5), "options": opts})
        self.assertEqual(ranged, [edits[1]])
        lines = messy.split("\n")
        for e in reversed(edits):
            r = e["range"]
            line = lines[r["start"]["line"]]
            lines[r["start"]["line"]] = line[:r["start"]["character"]] + e["newText"] + line[r["end"]["character"]:]
        self.change("main.cfg", 3, [{"text": "\n".join(lines)}])
        self.assertEqual(self.req("textDocument/formatting", {"textDocument": {"uri": self.ws.uri("main.cfg")},
                                                              "options": opts}), [])

    def test_formatting_refuses_a_document_that_does_not_parse(self):
        self.change("main.cfg", 2, [{"text": "request_route {\n  if ( {\n}\n"}])
        r = self.client.request("textDocument/formatting", {"textDocument": {"uri": self.ws.uri("main.cfg")},
                                                            "options": {"tabSize": 4, "insertSpaces": False}})
        self.assertEqual(r["error"], {"code": -32803,
                                      "message": "cannot format a config that does not parse: fix its syntax errors first"})

    def test_prepare_rename_and_rename_of_a_route_across_files(self):
        self.assertEqual(self.req("textDocument/prepareRename", self.at("main.cfg", 6, 9)), rng(6, 8, 6, 13))
        edit = self.req("textDocument/rename", dict(self.at("main.cfg", 6, 9), newName="FORWARD"))
        self.assertEqual(edit, {"changes": {
            self.ws.uri("routes.cfg"): [{"range": rng(0, 6, 0, 11), "newText": "FORWARD"}],
            self.ws.uri("main.cfg"): [{"range": rng(6, 8, 6, 13), "newText": "FORWARD"}]}})
        self.assertIsNone(self.req("textDocument/prepareRename", self.at("main.cfg", 0, 3)))
        r = self.client.request("textDocument/rename", dict(self.at("main.cfg", 6, 9), newName="1 bad"))
        self.assertEqual(r["error"]["code"], -32602)


class BadInput(ServerTest):
    def raw(self, body: bytes):
        self.client.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def error_of(self, rid):
        return self.client.response(rid)["error"]["code"]

    def assert_alive(self):
        self.assertEqual(self.req("textDocument/documentSymbol", {"textDocument": {"uri": self.ws.uri("main.cfg")}})[0]["name"],
                         "CODE")

    def setUp(self):
        super().setUp()
        self.open("main.cfg")

    def test_malformed_json_gets_a_parse_error(self):
        self.raw(b"{not json")
        m = self.client.wait_for(lambda m: m.get("error", {}).get("code") == -32700)
        self.assertIsNone(m["id"])
        self.assert_alive()

    def test_a_message_that_is_not_an_object_gets_invalid_request(self):
        self.raw(b"[1, 2]")
        self.client.wait_for(lambda m: m.get("error", {}).get("code") == -32600)
        self.raw(b'{"jsonrpc": "2.0", "id": 77, "method": 5}')
        self.assertEqual(self.error_of(77), -32600)
        self.assert_alive()

    def test_an_unknown_method_gets_method_not_found(self):
        rid = self.client.request_async("textDocument/noSuchThing", {})
        self.assertEqual(self.error_of(rid), -32601)
        self.client.notify("$/noSuchNotification", {})  # notifications: ignored, no reply
        self.assert_alive()

    def test_missing_params_get_invalid_params(self):
        rid = self.client.request_async("textDocument/hover", {"textDocument": {}})
        self.assertEqual(self.error_of(rid), -32602)
        rid = self.client.request_async("textDocument/hover", {"textDocument": {"uri": self.ws.uri("main.cfg")},
                                                               "position": {"line": -1, "character": 0}})
        self.assertEqual(self.error_of(rid), -32602)

    def test_params_of_the_wrong_type_get_invalid_params(self):
        rid = self.client.request_async("textDocument/references",
                                        dict(self.at("main.cfg", 0, 0), context={"includeDeclaration": "yes"}))
        self.assertEqual(self.error_of(rid), -32602)
        rid = self.client.request_async("textDocument/hover", {"textDocument": {"uri": 5}, "position": pos(0, 0)})
        self.assertEqual(self.error_of(rid), -32602)
        self.client.notify("textDocument/didOpen", {"textDocument": "x"})
        self.assert_alive()

    def test_an_out_of_range_position_gets_invalid_params(self):
        rid = self.client.request_async("textDocument/definition", self.at("main.cfg", 500, 0))
        r = self.client.response(rid)
        self.assertEqual(r["error"]["code"], -32602)
        self.assertIn("past the end of the document", r["error"]["message"])
        # A character past the end of a line is the end of the line (LSP).
        self.assertIsNone(self.req("textDocument/hover", self.at("main.cfg", 9, 400)))

    def test_a_request_on_a_document_that_is_not_open_gets_invalid_params(self):
        rid = self.client.request_async("textDocument/hover", self.at("routes.cfg", 0, 0))
        self.assertEqual(self.error_of(rid), -32602)
        rid = self.client.request_async("textDocument/hover", {"textDocument": {"uri": "http://x/y.cfg"},
                                                               "position": pos(0, 0)})
        self.assertEqual(self.error_of(rid), -32602)

    def test_didchange_on_a_document_that_is_not_open_is_logged_not_fatal(self):
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": self.ws.uri("routes.cfg"), "version": 2},
                                                      "contentChanges": [{"text": "x"}]})
        m = self.client.wait_for(lambda m: m.get("method") == "window/logMessage")
        self.assertIn("not open", m["params"]["message"])
        self.assert_alive()

    def test_requests_before_initialize_get_server_not_initialized(self):
        c = LspClient(SERVER)
        try:
            r = c.request("textDocument/hover", self.at("main.cfg", 0, 0))
            self.assertEqual(r["error"]["code"], -32002)
        finally:
            c.kill()

    def test_a_5_mb_document(self):
        body = "".join('route[R%d] {\n  $var(x) = "%s";\n}\n' % (i, "y" * 40) for i in range(75000))
        self.assertGreater(len(body), 5 * 1024 * 1024)
        self.client.open(self.ws.path("big.cfg"), body, 1)
        d = self.client.diagnostics(self.ws.uri("big.cfg"), 1, timeout=180)
        codes = [x["code"] for x in d["diagnostics"]]
        # No module loaded, and nothing calls the routes: each $var and each route is flagged.
        self.assertEqual({c: codes.count(c) for c in set(codes)},
                         {"kamc-module-not-loaded": 75000, "kamc-unused-route": 75000})
        self.assert_alive()

    def test_10000_rapid_edits_end_in_the_last_version(self):
        for v in range(2, 10002):
            self.change("main.cfg", v, [{"range": rng(9, 1, 9, 1), "text": "#" if v % 2 else ""}])
        self.change("main.cfg", 10002, [{"text": MAIN.replace("sl_send_reply(", "sl_send_replyy(")}])
        d = self.client.diagnostics(self.ws.uri("main.cfg"), 10002, timeout=120)["diagnostics"]
        self.assertEqual([x["code"] for x in d], ["kamc-unknown-function"])

    def test_a_cancelled_request_is_answered_with_request_cancelled_or_its_result(self):
        rid = self.client.request_async("textDocument/hover", self.at("main.cfg", 8, 5))
        self.client.notify("$/cancelRequest", {"id": rid})
        r = self.client.response(rid)
        self.assertTrue("result" in r or r["error"]["code"] == -32800, r)


class Workers(ServerTest):
    def test_a_request_on_one_document_is_answered_while_another_is_being_analysed(self):
        self.open("main.cfg")
        body = "".join('route[R%d] {\n  $var(x) = "%s";\n}\n' % (i, "y" * 40) for i in range(75000))
        self.client.open(self.ws.path("big.cfg"), body, 1)  # seconds of analysis
        time.sleep(0.3)  # its analysis has started
        h = self.req("textDocument/hover", self.at("main.cfg", 8, 5))
        self.assertIn("sl_send_reply(int, spv)", h["contents"]["value"])
        early = [m for _, m in self.client.notifications if m.get("params", {}).get("uri") == self.ws.uri("big.cfg")]
        self.assertEqual(early, [], "the hover waited for the other document's analysis")
        self.assertEqual(len(self.client.diagnostics(self.ws.uri("big.cfg"), 1, timeout=180)["diagnostics"]), 150000)


class Corpus(unittest.TestCase):
    """Every corpus config opened in the server gets the findings cfgcheck's
    engine gives for it (the same rule ids), and symbols without an error."""

    formatted = 0

    def format_twice(self, client, f, before):
        """Formatting a corpus config changes no finding, and formatting the result changes nothing."""
        opts = {"tabSize": 4, "insertSpaces": False}
        r = client.request("textDocument/formatting", {"textDocument": {"uri": uri(f)}, "options": opts})
        if "error" in r:  # a config that does not parse is refused
            self.assertEqual(r["error"]["code"], -32803, f)
            return
        with open(f, encoding="utf-8", errors="surrogateescape") as fh:
            lines = fh.read().split("\n")
        for e in reversed(r["result"]):
            a, b = e["range"]["start"], e["range"]["end"]
            self.assertEqual(a["line"], b["line"])
            line = lines[a["line"]]
            lines[a["line"]] = line[:a["character"]] + e["newText"] + line[b["character"]:]
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri(f), "version": 2},
                                                 "contentChanges": [{"text": "\n".join(lines)}]})
        after = client.diagnostics(uri(f), 2)
        self.assertEqual([(x["code"], x["range"]["start"]["line"]) for x in after["diagnostics"]],
                         [(x["code"], x["range"]["start"]["line"]) for x in before["diagnostics"]], f)
        again = client.request("textDocument/formatting", {"textDocument": {"uri": uri(f)}, "options": opts})
        self.assertEqual(again["result"], [], f)
        self.formatted += 1

    def test_corpus_configs_get_diagnostics_and_symbols(self):
        files = sorted(os.path.join(CORPUS, "kamailio-5.6", f) for f in os.listdir(os.path.join(CORPUS, "kamailio-5.6"))
                       if f.endswith(".cfg"))
        self.assertGreater(len(files), 10)
        client = LspClient(SERVER, ["--debounce-ms", "0"])
        try:
            client.initialize()
            for f in files:
                client.open(f)
                d = client.diagnostics(uri(f))
                for x in d["diagnostics"]:
                    self.assertTrue(x["code"].startswith("kamc-"), x)
                syms = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(f)}})
                self.assertIn("result", syms, f)
                self.format_twice(client, f, d)
                client.notify("textDocument/didClose", {"textDocument": {"uri": uri(f)}})
            self.assertGreater(self.formatted, 10)
        finally:
            client.kill()


class CheckCommand(unittest.TestCase):
    def test_check_prints_each_finding_under_its_root_and_exits_1(self):
        ws = Workspace({"main.cfg": MAIN, "routes.cfg": ROUTES.replace("drop;", "xlog(\"x\");")})
        try:
            r = subprocess.run([SERVER, "--check", ws.dir], capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("In the context of root config %s:" % ws.path("main.cfg"), r.stdout)
            self.assertIn("In file included from %s:5:1:" % ws.path("main.cfg"), r.stdout)
            self.assertIn("routes.cfg:5:3: error: 'xlog' comes from module xlog, which is not loaded", r.stdout)
            self.assertTrue(r.stdout.endswith("2 configs, 1 roots: 1 errors, 0 warnings\n"), r.stdout)
        finally:
            ws.remove()

    def test_check_gives_cfgchecks_findings_on_the_corpus(self):
        corpus = os.path.realpath(os.path.join(CORPUS, "kamailio-5.6"))
        mine = subprocess.run([SERVER, "--check", corpus], capture_output=True, text=True, timeout=300)
        theirs = subprocess.run([CFGCHECK, corpus], capture_output=True, text=True, timeout=300)
        self.assertEqual(mine.returncode, theirs.returncode)

        def findings(text):
            return sorted(line for line in text.splitlines() if ": error: " in line or ": warning: " in line)
        self.assertEqual(findings(mine.stdout), findings(theirs.stderr))
        self.assertGreater(len(findings(mine.stdout)), 100)

    def test_check_exits_0_on_a_clean_workspace_and_2_on_an_empty_one(self):
        ws = Workspace({"main.cfg": MAIN, "routes.cfg": ROUTES})
        empty = tempfile.mkdtemp()
        try:
            self.assertEqual(subprocess.run([SERVER, "--check", ws.dir], capture_output=True).returncode, 0)
            self.assertEqual(subprocess.run([SERVER, "--check", empty], capture_output=True).returncode, 2)
        finally:
            ws.remove()
            os.rmdir(empty)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--kamc", required=True)
    ap.add_argument("--cfgcheck", required=True)
    args, rest = ap.parse_known_args()
    KAMC = os.path.abspath(args.kamc)
    CFGCHECK = os.path.abspath(args.cfgcheck)
    SERVER = os.path.abspath(args.server)
    CORPUS = args.corpus
    unittest.main(argv=[sys.argv[0], "-v", *rest])
