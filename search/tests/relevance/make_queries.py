#!/usr/bin/env python3
"""Writes queries.json, the relevance query set on the bundled sample (data/servers.json).

Four kinds, each query with the ids of the servers that answer it:
- name: the package name as published (e.g. "@playwright/mcp");
- typo: the name with one edit in its most distinctive word (deletion, swap or substitution);
- partial: the first ~60% of the unscoped name, as typed before finishing;
- topic: a hand-written subject ("stripe payments", "docker containers"); the expected servers are
  those whose name carries the subject (rules below, reviewed by hand). Everyday task phrasings
  ("send a message to my team channel") are the hand-written `tasks.json` next to this file.
Targets for name/typo/partial are the 50 most downloaded servers whose unscoped name has a
distinctive word (5+ letters, not mcp/server/model/context/protocol), so the choice does not
depend on any engine's results. Deterministic: re-running gives the same file.
"""
import json, os, re, sys, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
ds = json.load(open(os.path.join(ROOT, "data", "servers.json")))
servers = ds["servers"]

GENERIC = {"mcp", "server", "servers", "model", "context", "protocol", "modelcontextprotocol", "client", "tools", "node", "with", "from"}

def downloads(s):
    return sum((e.get("downloads_monthly") or 0) for e in s["sources"])

def unscoped(name):
    return name.split("/", 1)[1] if name.startswith("@") and "/" in name else name

def words(name):
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]

def distinctive(name):
    ws = [w for w in words(unscoped(name)) if len(w) >= 5 and w not in GENERIC and not w.isdigit()]
    if not ws and name.startswith("@"):
        ws = [w for w in words(name.split("/")[0]) if len(w) >= 5 and w not in GENERIC]
    return max(ws, key=len) if ws else None

def typo(word, seed):
    i = 1 + seed % (len(word) - 2)
    op = seed // 7 % 3
    if op == 0:
        return word[:i] + word[i + 1:]                       # deletion
    if op == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swap
    keys = "qwertyuiopasdfghjklzxcvbnm"
    c = keys[(keys.index(word[i]) + 1) % len(keys)] if word[i] in keys else "x"
    return word[:i] + c + word[i + 1:]                   # substitution

servers_by_dl = sorted(servers, key=lambda s: (-downloads(s), s["id"]))
names_seen = set()
targets = []
for s in servers_by_dl:
    if s.get("kind", "server") != "server":
        continue
    d = distinctive(s["name"])
    if not d or d in names_seen:
        continue
    names_seen.add(d)
    targets.append((s, d))
    if len(targets) == 50:
        break

queries = []
for s, d in targets:
    name = s["name"]
    seed = zlib.crc32(s["id"].encode())
    queries.append({"kind": "name", "q": name, "expect": [s["id"]]})
    bad = typo(d, seed)
    q = unscoped(name).lower().replace(d, bad, 1)
    if q == unscoped(name).lower():
        q = bad
    queries.append({"kind": "typo", "q": q, "expect": [s["id"]]})
    u = unscoped(name)
    if u.lower() in ("mcp", "server", "mcp-server"):
        u = name.strip("@").split("/")[0] + " " + u
    cut = max(4, round(len(u) * 0.6))
    queries.append({"kind": "partial", "q": u[:cut], "expect": [s["id"]]})

# Task descriptions: (query, name patterns any of which makes a server relevant).
TASKS = [
    ("query a postgres database", ["postgres"]),
    ("run sql on mysql", ["mysql"]),
    ("read and write sqlite files", ["sqlite"]),
    ("send a slack message", ["slack"]),
    ("post messages to discord", ["discord"]),
    ("manage github issues and pull requests", ["github"]),
    ("gitlab merge requests", ["gitlab"]),
    ("automate a browser and take screenshots", ["playwright", "puppeteer", "browser"]),
    ("read files on my computer", ["filesystem", "file-system", "files"]),
    ("search the web", ["search", "brave", "tavily", "exa", "serp"]),
    ("fetch a web page as markdown", ["fetch", "markdown", "crawl", "scrape", "firecrawl"]),
    ("scrape websites", ["scrape", "scraper", "crawl", "firecrawl"]),
    ("kubernetes cluster management", ["kubernetes", "k8s", "kube"]),
    ("docker containers", ["docker"]),
    ("aws cloud resources", ["aws"]),
    ("azure devops pipelines", ["azure"]),
    ("stripe payments", ["stripe"]),
    ("shopify store products", ["shopify"]),
    ("notion pages and databases", ["notion"]),
    ("jira tickets", ["jira", "atlassian"]),
    ("send email with gmail", ["gmail", "email", "mail"]),
    ("google calendar events", ["calendar"]),
    ("google maps directions", ["maps"]),
    ("weather forecast", ["weather"]),
    ("knowledge graph memory for the agent", ["memory"]),
    ("sequential thinking for problem solving", ["thinking"]),
    ("figma designs to code", ["figma"]),
    ("supabase database", ["supabase"]),
    ("mongodb queries", ["mongo"]),
    ("redis cache", ["redis"]),
    ("elasticsearch search index", ["elasticsearch", "elastic"]),
    ("sentry error tracking", ["sentry"]),
    ("grafana dashboards", ["grafana"]),
    ("obsidian notes vault", ["obsidian"]),
    ("youtube video transcripts", ["youtube"]),
    ("twitter posts", ["twitter", "x-mcp", "tweet"]),
    ("linear issue tracker", ["linear"]),
    ("chrome devtools debugging", ["chrome", "devtools"]),
    ("library documentation lookup with context7", ["context7"]),
    ("n8n workflow automation", ["n8n"]),
    ("excel spreadsheets", ["excel", "xlsx", "spreadsheet"]),
    ("pdf documents", ["pdf"]),
    ("translate text", ["translat", "deepl"]),
    ("image generation", ["image", "imagen", "dalle", "flux"]),
    ("telegram bot", ["telegram"]),
    ("wordpress site", ["wordpress"]),
    ("terminal shell commands", ["shell", "terminal", "command", "exec"]),
    ("time and timezone conversion", ["time"]),
    ("hubspot crm contacts", ["hubspot"]),
    ("vercel deployments", ["vercel"]),
]
for q, pats in TASKS:
    expect = sorted(s["id"] for s in servers if any(p in s["name"].lower() for p in pats))
    if not expect:
        print(f"topic {q!r}: nothing in the sample matches {pats}; dropped", file=sys.stderr)
        continue
    queries.append({"kind": "topic", "q": q, "expect": expect})

out = {
    "dataset": "data/servers.json",
    "note": "Generated by make_queries.py; topics are hand-written. MRR@10: reciprocal rank of the first expected id in the top 10.",
    "queries": queries,
}
with open(os.path.join(HERE, "queries.json"), "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
kinds = {}
for q in queries:
    kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
print(kinds, file=sys.stderr)
