#!/usr/bin/env python3
"""gen-chatgpt.py - write a realistic ChatGPT account export of a given size.

The output has the shape of the official export (Settings > Data controls >
Export data): conversations.json is one JSON array of conversations, each a
`mapping` tree of nodes {id, message, parent, children} with `current_node`
at the active leaf. It is written the way the export writes it (Python's
json.dumps defaults: ", " and ": " separators, non-ASCII as \\u escapes, one
line), so a reader meets what a real file holds:

  - trees, not lists: edited prompts and regenerated answers are siblings,
    and current_node sits at the end of one branch;
  - every content type the ferry chatgpt adapter maps: text, code,
    execution_output, multimodal_text (image_asset_pointer parts with
    file-service:// and sediment:// pointers), tether_browsing_display,
    tether_quote, thoughts, reasoning_recap, system_error,
    user_editable_context (custom instructions), model_editable_context
    (memories), plus a rare content type no reader knows;
  - tool calls (assistant messages with a recipient) and tool results,
    citations in metadata, attachments, a hidden system message, the
    placeholder root node without a message;
  - non-ASCII text (accents, CJK, Cyrillic, emoji outside the BMP, which
    become surrogate-pair escapes) and code blocks full of quotes and
    backslashes.

Usage:
  gen-chatgpt.py --size 100M -o conversations.json          one file
  gen-chatgpt.py --size 5M --shards 3 -o DIR                conversations-000.json ...
  gen-chatgpt.py --size 2M --zip -o export.zip              a zip with images
  gen-chatgpt.py ... --stats                                print counts (JSON) on stdout

The same --seed and --size always give the same bytes. --stats prints the
number of conversations and of nodes with a message, for count checks.
"""
import argparse
import io
import json
import os
import random
import sys
import zipfile

WORDS = """the a of to and in is it you that was for on are with as I his they be at one have this
from or had by hot but some what there we can out other were all your when up use word how said an
each she which do their time if will way about many then them would write like so these her long
make thing see him two has look more day could go come did my sound no most number who over know
water than call first people may down side been now find any new work part take get place made live
where after back little only round man year came show every good me give our under name very through
just form much great think say help low line before turn cause same mean differ move right boy old
too does tell sentence set three want air well also play small end put home read hand port large
spell add even land here must big high such follow act why ask men change went light kind off need
house picture try us again animal point mother world near build self earth father head stand own
page should country found answer school grow study still learn plant cover food sun four thought let
keep eye never last door between city tree cross since hard start might story saw far sea draw left
late run while press close night real life few stop open seem together next white children begin got
walk example ease paper often always music those both mark book letter until mile river car feet care
second group carry took rain eat room friend began idea fish mountain north once base hear horse cut
sure watch color face wood main enough plain girl usual young ready above ever red list though feel
talk bird soon body dog family direct pose leave song measure state product black short numeral class
wind question happen complete ship area half rock order fire south problem piece told knew pass farm
top whole king size heard best hour better true during hundred am remember step early hold west ground
interest reach fast five sing listen six table travel less morning ten simple several vowel toward war
lay against pattern slow center love person money serve appear road map science rule govern pull cold
notice voice fall power town fine certain fly unit lead cry dark machine note wait plan figure star box
noun field rest correct able pound done beauty drive stood contain front teach week final gave green
oh quick develop sleep warm free minute strong special mind behind clear tail produce fact street inch
lot nothing course stay wheel full force blue object decide surface deep moon island foot yet busy test
record boat common gold possible plane age dry wonder laugh thousand ago ran check game shape yes cool
miss brought heat snow bed bring sit perhaps fill east weight language among""".split()
INTL = ["café", "naïve", "Übergrößenträger", "façade", "jalapeño", "smörgåsbord", "Ελληνικά",
        "русский", "日本語のテキスト", "中文字符", "한국어", "עברית", "العربية", "हिन्दी",
        "emoji 😀", "rocket 🚀", "thumbs 👍🏽", "math ∑∫√∞", "quotes „gut“", "em—dash", "…ellipsis",
        "Zürich", "São Paulo", "Kraków", "Ærøskøbing", "Đà Nẵng"]
MODELS = ["gpt-4o", "gpt-4o-mini", "o3", "gpt-4-5", "gpt-5", "gpt-5-thinking", "o4-mini-high"]
LANGS = ["python", "javascript", "c", "bash", "sql", "rust"]
UNKNOWN_TYPES = ["computer_output", "app_pairing_content", "super_widget"]


class Gen:
    def __init__(self, seed, sentences=40000):
        self.r = random.Random(seed)
        r = self.r
        self.sentences = []
        for _ in range(sentences):
            n = r.randint(5, 16)
            ws = [r.choice(WORDS) for _ in range(n)]
            if r.random() < 0.25:
                ws[r.randrange(n)] = r.choice(INTL)
            if r.random() < 0.1:
                ws.append(str(r.randint(0, 10 ** 6)))
            s = " ".join(ws)
            self.sentences.append(s[0].upper() + s[1:] + r.choice([".", ".", ".", "?", "!"]))
        # custom instructions change rarely: a few versions over the account's life
        self.profiles = [(self.para(1, 2), self.para(1, 2)) for _ in range(3)]
        self.memories = [self.para(1, 1) for _ in range(40)]
        self.assets = []      # (pointer id, filename, bytes) for --zip
        self.nconv = 0
        self.nmsg = 0
        self.clock = 1_690_000_000.0

    def uuid(self):
        h = "%032x" % self.r.getrandbits(128)
        return "%s-%s-4%s-%s-%s" % (h[:8], h[8:12], h[13:16], h[16:20], h[20:32])

    def para(self, lo=2, hi=6):
        r = self.r
        return " ".join(r.choice(self.sentences) for _ in range(r.randint(lo, hi)))

    def text(self, lo=1, hi=4):
        return "\n\n".join(self.para() for _ in range(self.r.randint(lo, hi)))

    def code(self):
        r = self.r
        lang = r.choice(LANGS)
        lines = []
        for i in range(r.randint(3, 18)):
            w = r.choice(WORDS)
            lines.append(r.choice([
                'x_%d = "%s\\n"  # %s' % (i, w, r.choice(INTL)),
                "if (%s[%d] == '\\\\') { return \"%s\"; }" % (w, i, w),
                "    print(f\"{%s!r:>10}\", sep='\\t')" % w,
                "SELECT \"%s\" FROM t WHERE a = '%s' AND b < %d;" % (w, w, i),
                "echo \"$%s\" | grep -E '^[a-z]+$' > /tmp/%s.txt" % (w.upper(), w),
            ]))
        return lang, "\n".join(lines)

    def tick(self):
        self.clock += self.r.uniform(0.5, 90.0)
        return round(self.clock, 6)

    def msg(self, role, content, name=None, recipient="all", meta=None, channel=None,
            status="finished_successfully", end_turn=None):
        m = {
            "id": self.uuid(),
            "author": {"role": role, "name": name, "metadata": {}},
            "create_time": self.tick(),
            "update_time": None,
            "content": content,
            "status": status,
            "end_turn": end_turn,
            "weight": 1.0,
            "metadata": meta if meta is not None else {},
            "recipient": recipient,
            "channel": channel,
        }
        return m

    def image_part(self, scheme):
        r = self.r
        if scheme == "file-service":
            fid = "file-" + "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789")
                                    for _ in range(22))
            ptr = "file-service://" + fid
            fname = "%s-%s.png" % (fid, r.choice(["photo", "screenshot", "IMG_2024"]))
        else:
            fid = "file_%032x" % r.getrandbits(128)
            ptr = "sediment://" + fid
            fname = "%s-%s.png" % (fid, self.uuid())
        w, h = r.choice([(1024, 1024), (1792, 1024), (512, 768)])
        data = b"\x89PNG\r\n\x1a\n" + bytes(r.getrandbits(8) for _ in range(r.randint(64, 400)))
        self.assets.append((fid, fname, data))
        return {"content_type": "image_asset_pointer", "asset_pointer": ptr, "size_bytes": len(data),
                "width": w, "height": h, "fovea": None,
                "metadata": {"dalle": None, "gizmo": None, "generation": None,
                             "container_pixel_height": None, "container_pixel_width": None,
                             "emu_omit_glimpse_image": None, "emu_patches_override": None,
                             "sanitized": True, "asset_pointer_link": None,
                             "watermarked_asset_pointer": None}}

    # --- one turn: user prompt and the assistant's work on it -------------
    def assistant_chain(self, model):
        """A list of messages the assistant side produces for one prompt."""
        r = self.r
        out = []
        meta = {"model_slug": model, "default_model_slug": model, "parent_id": None,
                "request_id": "%016x-IAD" % r.getrandbits(64), "timestamp_": "absolute",
                "message_type": None, "finish_details": {"type": "stop", "stop_tokens": [200002]},
                "is_complete": True, "citations": [], "content_references": []}
        roll = r.random()
        if roll < 0.18:     # reasoning model: thoughts then a recap
            out.append(self.msg("assistant", {"content_type": "thoughts", "thoughts": [
                {"summary": self.para(1, 1), "content": self.text(1, 2), "chunks": [], "finished": True}
                for _ in range(r.randint(1, 3))], "source_analysis_msg_id": self.uuid()},
                meta=dict(meta, reasoning_status="is_reasoning"), channel="analysis"))
            out.append(self.msg("assistant", {"content_type": "reasoning_recap",
                                              "content": "Thought for %d seconds" % r.randint(2, 90)},
                                meta=dict(meta, reasoning_status="reasoning_ended",
                                          finished_duration_sec=r.randint(2, 90))))
        if roll > 0.80:     # code interpreter
            lang, src = self.code()
            out.append(self.msg("assistant", {"content_type": "code", "language": "unknown",
                                              "response_format_name": None, "text": src},
                                recipient="python", meta=meta, channel="commentary"))
            if r.random() < 0.1:
                out.append(self.msg("tool", {"content_type": "system_error", "name": "ace_pod_error",
                                             "text": "Code execution state reset."}, name="python",
                                    meta={"is_complete": True}))
            else:
                out.append(self.msg("tool", {"content_type": "execution_output", "text": self.para(1, 3)},
                                    name="python", meta={"is_complete": True, "aggregate_result": {
                                        "status": "success", "run_id": self.uuid(), "start_time": self.tick(),
                                        "update_time": self.tick(), "code": src, "end_time": self.tick(),
                                        "final_expression_output": None, "in_kernel_exception": None,
                                        "system_exception": None, "messages": [], "jupyter_messages": [],
                                        "timeout_triggered": None}}))
        elif roll > 0.70:   # browsing
            out.append(self.msg("assistant", {"content_type": "code", "language": "unknown",
                                              "response_format_name": None,
                                              "text": "search(\"%s\")" % self.para(1, 1).replace('"', "'")},
                                recipient="browser", meta=meta))
            out.append(self.msg("tool", {"content_type": "tether_browsing_display", "result": self.text(1, 2),
                                         "summary": self.para(1, 1), "assets": None, "tether_id": None},
                                name="browser", meta={"command": "search", "status": "finished"}))
            out.append(self.msg("tool", {"content_type": "tether_quote", "url": "https://example.org/%s" % self.uuid(),
                                         "domain": "example.org", "text": self.para(1, 2),
                                         "title": self.para(1, 1)[:60]}, name="browser",
                                meta={"command": "quote", "status": "finished"}))
        elif roll > 0.67:   # image generation through a tool
            out.append(self.msg("assistant", {"content_type": "text", "parts": [
                json.dumps({"prompt": self.para(1, 1), "size": "1024x1024"})]},
                recipient="dalle.text2im", meta=meta))
            out.append(self.msg("tool", {"content_type": "multimodal_text", "parts": [
                self.image_part("sediment")]}, name="dalle.text2im", meta={}))
        elif roll > 0.665:  # something no reader knows yet
            out.append(self.msg("tool", {"content_type": r.choice(UNKNOWN_TYPES),
                                         "payload": {"k": self.para(1, 1), "n": r.randint(0, 9)}},
                                name="computer", meta={}))
        # the answer
        parts = []
        for _ in range(r.randint(1, 3)):
            parts.append(self.text(1, 3))
            if r.random() < 0.5:
                lang, src = self.code()
                parts.append("```%s\n%s\n```" % (lang, src))
        answer_meta = dict(meta)
        if r.random() < 0.2:
            body = "\n\n".join(parts)
            cites = []
            for _ in range(r.randint(1, 3)):
                a = r.randint(0, max(0, len(body) - 10))
                cites.append({"start_ix": a, "end_ix": a + 5, "citation_format_type": "tether_og",
                              "metadata": {"type": "webpage", "title": self.para(1, 1)[:50],
                                           "url": "https://example.com/%s" % self.uuid(),
                                           "text": self.para(1, 1), "pub_date": None,
                                           "extra": {"cited_message_idx": 3, "evidence_text": "source"}}})
            answer_meta["citations"] = cites
        out.append(self.msg("assistant", {"content_type": "text", "parts": ["\n\n".join(parts)]},
                            meta=answer_meta, end_turn=True))
        return out

    def user_msg(self):
        r = self.r
        if r.random() < 0.06:
            img = self.image_part("file-service")
            fid = img["asset_pointer"].split("://", 1)[1]
            return self.msg("user", {"content_type": "multimodal_text", "parts": [img, self.para(1, 3)]},
                            meta={"attachments": [{"id": fid, "size": img["size_bytes"], "name": "photo.png",
                                                   "mime_type": "image/png", "width": img["width"],
                                                   "height": img["height"]}]})
        return self.msg("user", {"content_type": "text", "parts": [self.text(1, 2)]},
                        meta={"request_id": "%016x" % r.getrandbits(64), "message_source": None,
                              "timestamp_": "absolute", "message_type": None})

    def conversation(self, target):
        r = self.r
        mapping = {}
        model = r.choice(MODELS)

        def add(msg, parent):
            nid = msg["id"] if msg is not None else self.uuid()
            mapping[nid] = {"id": nid, "message": msg, "parent": parent, "children": []}
            if parent is not None:
                mapping[parent]["children"].append(nid)
            if msg is not None:
                self.nmsg += 1
                est[0] += 700 + content_len(msg["content"])
            return nid

        est = [0]
        start = self.clock
        root = add(None, None)
        last = add(self.msg("system", {"content_type": "text", "parts": [""]},
                            meta={"is_visually_hidden_from_conversation": True}, end_turn=True), root)
        if r.random() < 0.3:
            about_user, about_model = r.choice(self.profiles)
            last = add(self.msg("user", {"content_type": "user_editable_context",
                                         "user_profile": "The user provided the following information about themselves: "
                                         + about_user, "user_instructions":
                                         "The user provided the additional info about how they would like you to respond: "
                                         + about_model},
                                meta={"is_visually_hidden_from_conversation": True,
                                      "user_context_message_data": {"about_user_message": "…",
                                                                    "about_model_message": "…"},
                                      "is_user_system_message": True}), last)
        if r.random() < 0.1:
            mem = "\n\n".join("%d. [2024-%02d-%02d]. %s" % (i + 1, 1 + i % 12, 1 + i % 28, self.memories[i])
                                for i in range(r.randint(1, len(self.memories))))
            last = add(self.msg("assistant", {"content_type": "model_editable_context",
                                              "model_set_context": mem, "repository": None,
                                              "repo_summary": None, "structured_context": None},
                                meta={"is_visually_hidden_from_conversation": True}), last)
        active = last
        while est[0] < target:
            u = add(self.user_msg(), active)
            tip = u
            for m in self.assistant_chain(model):
                tip = add(m, tip)
            # a regenerated answer: a second assistant branch under the same prompt
            if r.random() < 0.12:
                alt = u
                for m in self.assistant_chain(model):
                    alt = add(m, alt)
                if r.random() < 0.5:
                    tip = alt
            # an edited prompt: a sibling user message with its own answer
            if r.random() < 0.1:
                e = add(self.user_msg(), active)
                et = e
                for m in self.assistant_chain(model):
                    et = add(m, et)
                if r.random() < 0.5:
                    tip = et
            active = tip
        cid = self.uuid()
        self.nconv += 1
        return {
            "title": self.para(1, 1)[:70],
            "create_time": round(start, 6),
            "update_time": self.tick(),
            "mapping": mapping,
            "moderation_results": [],
            "current_node": active,
            "plugin_ids": None,
            "conversation_id": cid,
            "conversation_template_id": None,
            "gizmo_id": None,
            "gizmo_type": None,
            "is_archived": r.random() < 0.05,
            "is_starred": None,
            "safe_urls": [],
            "blocked_urls": [],
            "default_model_slug": model,
            "conversation_origin": None,
            "voice": None,
            "async_status": None,
            "disabled_tool_ids": [],
            "is_do_not_remember": False,
            "memory_scope": "global_enabled",
            "sugar_item_id": None,
            "id": cid,
        }


def content_len(c):
    """About how many bytes a content object takes once written."""
    n = 0
    for v in c.values():
        if isinstance(v, str):
            n += len(v) + 20
        elif isinstance(v, list):
            for x in v:
                n += len(x) + 20 if isinstance(x, str) else 500
    return n


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if s[-1].upper() in mult:
        return int(float(s[:-1]) * mult[s[-1].upper()])
    return int(s)


def write_array(g, out, budget):
    """Write conversations into out until about budget bytes; returns bytes written."""
    n = 0
    out.write("[")
    first = True
    while n < budget:
        target = int(g.r.lognormvariate(10.3, 0.9))     # median ~30 KB, a long tail
        target = max(2000, min(target, 2_000_000, budget - n + 2000))
        s = json.dumps(g.conversation(target))
        if not first:
            out.write(", ")
            n += 2
        out.write(s)
        n += len(s)
        first = False
    out.write("]")
    return n + 2


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="10M", help="about how many bytes of conversations (K, M, G)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shards", type=int, default=0, help="write conversations-NNN.json into a folder")
    ap.add_argument("--zip", action="store_true", help="write an export zip with the images")
    ap.add_argument("--stats", action="store_true", help="print counts as JSON on stdout")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    g = Gen(a.seed)
    size = parse_size(a.size)
    if a.zip:
        buf = io.StringIO()
        write_array(g, buf, size)
        with zipfile.ZipFile(a.output, "w", zipfile.ZIP_DEFLATED) as z:
            def add(name, data):
                zi = zipfile.ZipInfo(name, (2025, 1, 2, 3, 4, 6))
                zi.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(zi, data)
            add("conversations.json", buf.getvalue())
            add("user.json", json.dumps({"id": "user-" + g.uuid()[:24], "email": "someone@example.com",
                                         "chatgpt_plus_user": True}))
            add("message_feedback.json", "[]")
            add("chat.html", "<html><body>ChatGPT export</body></html>")
            for i, (fid, fname, data) in enumerate(g.assets):
                add(("dalle-generations/" if fid.startswith("file_") else "") + fname, data)
    elif a.shards:
        os.makedirs(a.output, exist_ok=True)
        for i in range(a.shards):
            with open(os.path.join(a.output, "conversations-%03d.json" % i), "w") as f:
                write_array(g, f, size // a.shards)
    else:
        with open(a.output, "w") as f:
            write_array(g, f, size)
    if a.stats:
        print(json.dumps({"conversations": g.nconv, "messages": g.nmsg}))


if __name__ == "__main__":
    sys.exit(main())
