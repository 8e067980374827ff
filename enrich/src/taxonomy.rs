//! The category taxonomy: 25 slugs covering what MCP servers do, each with a label, a one-line
//! description and the hand-written terms the classifier looks for.
//!
//! Terms come in three strengths (strong 1.0, medium 0.6, weak 0.3) and are written as plain
//! phrases of one to three words; they go through the same tokenizer and stemmer as the text they
//! are matched against. This module holds data and the term index; it does not score anything.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::text;

/// One category.
#[derive(Debug, Clone, Copy)]
pub struct Category {
    /// Slug, e.g. `databases`.
    pub id: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub(crate) strong: &'static str,
    pub(crate) medium: &'static str,
    pub(crate) weak: &'static str,
}

/// The id of the catch-all category given when nothing else matches.
pub const OTHER: &str = "other";

/// Every category, sorted by id.
pub const CATEGORIES: &[Category] = &[
    Category {
        id: "ai-models",
        label: "AI & ML models",
        description: "Call other models: LLM providers, inference, embeddings, image generation, model hubs.",
        strong: "z ai, zhipu, glm, openai, gpt, anthropic, gemini, ollama, huggingface, hugging face, llama, mistral, deepseek, replicate, embedding, inference, fine tune, stable diffusion, image generation, text to image, dall e, midjourney, perplexity, openrouter, groq, vertex ai, bedrock, machine learning, llm provider, multi model, second opinion, comfyui",
        medium: "translation, translate, deepl, ai chat, dialogue, prompt engineering, ml, neural, transformer, chat completion, language model, reasoning, thinking, sequential thinking, vision model, speech to text, whisper, elevenlabs, grok, qwen, kimi, litellm, minimax, multi provider",
        weak: "generation, ai model, prompt",
    },
    Category {
        id: "browser-automation",
        label: "Web fetch & browser automation",
        description: "Fetch pages, scrape sites, drive a real browser (Playwright, Puppeteer, Selenium).",
        strong: "playwright, puppeteer, selenium, browser automation, headless, chromium, chrome devtools, web scraping, scrape, scraper, crawl, crawler, firecrawl, fetch url, web fetch, browserbase, browser use, stagehand, webpage, web page, html to markdown",
        medium: "browser, fetch, url, website, page, screenshot, navigate, click, dom, html, readability, markdown conversion, extract content, web content, chrome, firefox, apify, jina",
        weak: "web, http, download, link",
    },
    Category {
        id: "cloud-platforms",
        label: "Cloud platforms",
        description: "Manage cloud accounts and services: AWS, Azure, Google Cloud, Cloudflare, Vercel, serverless.",
        strong: "hostinger, vps, railway app, cloudbase, naas, cloud architecture, cloudcraft, aws, awslabs, render com, amazon web service, elasticache, redshift, azure, gcp, google cloud, cloudflare, vercel, netlify, heroku, digitalocean, fly io, supabase, firebase, lambda, s3, ec2, cloud run, cloudformation, alibaba cloud, aliyun, tencent cloud, huawei cloud, oracle cloud, linode, hetzner, cloud platform, cloud service, serverless",
        medium: "amazon, cloud, bucket, storage, cdn, dns, domain, hosting, deploy, deployment, worker, edge, iam, billing, azure devop, appwrite, convex, neon",
        weak: "region, instance, resource",
    },
    Category {
        id: "code-execution",
        label: "Code execution & sandboxes",
        description: "Run code on your behalf: interpreters, notebooks, sandboxes, REPLs.",
        strong: "code execution, execute code, run code, sandbox, code interpreter, interpreter, repl, jupyter, notebook, e2b, pyodide, wasm sandbox, deno, execute python, run python, execute javascript, code runner, daytona",
        medium: "execute, execution, eval, evaluate, runtime, container, isolated, script, python code, javascript code, compile, compiler",
        weak: "run, code",
    },
    Category {
        id: "communication",
        label: "Communication & messaging",
        description: "Chat and messaging: Slack, Discord, Teams, Telegram, WhatsApp, SMS, social networks.",
        strong: "slack, discord, telegram, chatwork, line bot, line official, whatsapp, microsoft team, ms team, teams, mattermost, rocket chat, sms, twilio, wechat, lark, feishu, dingtalk, line messaging, messenger, twitter, tweet, x com, bluesky, mastodon, reddit, linkedin, facebook, instagram, chat message, send message, messaging, social media, zulip, intercom, imessage",
        medium: "chat, message, channel, notification, notify, conversation, post, community, forum, push notification, voice call, phone call, social",
        weak: "team, send, reply, thread",
    },
    Category {
        id: "data-analysis",
        label: "Data analysis",
        description: "Analyse and visualise data: spreadsheets, dataframes, charts, statistics, BI and analytics.",
        strong: "time series, apache iceberg, iceberg, microsoft fabric, open data, public data, data validation, data platform, data analysis, analytics, airflow, apache spark, spark, stata, segmentation, data processing, data factory, pandas, dataframe, csv, excel, spreadsheet, google sheet, visualization, visualisation, chart, plot, dashboard, statistic, business intelligence, bi, tableau, power bi, metabase, looker, google analytics, matplotlib, data science, etl, dbt, snowflake, databrick, bigquery, duckdb, parquet, xlsx",
        medium: "data, dataset, report, metric, insight, graph, table, analysis, analyze, aggregate, mixpanel, amplitude, posthog, kpi, survey, polar, arrow, sql analytics, data pipeline",
        weak: "number, trend, summary",
    },
    Category {
        id: "databases",
        label: "Databases",
        description: "Query and manage databases: SQL, NoSQL, vector stores, graph databases, caches.",
        strong: "instantdb, instant db, airtable, pinecone, vector database, database, postgres, postgresql, mysql, mariadb, sqlite, sql server, mssql, oracle database, mongodb, mongo, redis, elasticsearch, opensearch, cassandra, dynamodb, clickhouse, neo4j, cypher, supabase, vector database, vector store, pinecone, qdrant, weaviate, milvus, chroma, chromadb, pgvector, couchbase, couchdb, influxdb, timescale, cockroachdb, tidb, firestore, prisma, sql query, nosql, graph database, airtable, baserow, nocodb, turso, libsql, surrealdb, valkey, memcached, sqlalchemy, odbc, jdbc, db2, snowflake, bigquery, duckdb, starrocks, doris, trino, presto",
        medium: "sql, query, schema, table, row, collection, index, orm, migration, db, record, crud, key value",
        weak: "store, data",
    },
    Category {
        id: "developer-tools",
        label: "Developer tools",
        description: "Help write software: docs lookup, linters, package registries, APIs, testing, IDE and language tooling.",
        strong: "developer tool, dev tool, mcp client, mcp proxy, mcp framework, mcp sdk, mcp inspector, inspector, typescript sdk, python sdk, client library, build mcp, mcp server builder, fastmcp, mcp setup, api documentation, openapi, swagger, graphql, postman, linter, lint, eslint, code review, refactor, refactoring, language server, lsp, ide, vscode, vs code, jetbrains, xcode, android studio, unity, unreal, godot, figma, design system, component library, react, vue, angular, svelte, nextjs, next js, tailwind, typescript, npm package, pypi package, crate, cargo, maven, gradle, debugger, debug, unit test, testing, test generation, code generation, codebase, code search, code analysis, static analysis, ast, tree sitter, snippet, api client, sdk documentation, documentation lookup, context7, shadcn, storybook, api testing, mock, boilerplate, scaffold, json schema, regex",
        medium: "mcp provider, mcp utilities, mcp utils, provider, tauri, electron, deepwiki, ios simulator, simulator, mobile development, mobile automation, roblox studio, game engine, agent framework, transport, session, tunnel, mcp apps, mcp tools, mcp adapter, mcp server framework, nuxt, vite, nestjs, nest, fastify, hono, elysia, express, koa, middy, theia, expo, nx, mui, ui library, ui components, simulator, mobile app, browserstack, codacy, knip, launchdarkly, feature flag, mcp config, middleware, hook, gdb, i18n, localization, api design, api management, proxy, gateway, adapter, plugin, framework, toolkit, setup, code, developer, programming, software, api, endpoint, rest api, library documentation, docs, framework, component, library, build, test, bug, dependency, version, compiler, coding, function, frontend, backend, webhook, cli, terminal, rust, golang, java, swift, kotlin, flutter, dart, php, ruby, laravel, django, rail, mcp server builder, template, sdk",
        weak: "dev, project, tooling, utility",
    },
    Category {
        id: "devops",
        label: "DevOps & CI",
        description: "Ship and operate software: CI/CD, containers, Kubernetes, infrastructure as code, deployments.",
        strong: "azure devops, argo cd, argocd, coolify, coolify, job queue, bullmq, infrastructure management, celery, rabbitmq, kafka, devops, ci cd, cicd, continuous integration, github action, gitlab ci, jenkins, circleci, buildkite, argo, argocd, kubernetes, k8s, kubectl, helm, docker, dockerfile, docker compose, container, podman, terraform, pulumi, ansible, infrastructure as code, iac, nomad, openshift, rancher, eks, aks, gke, ecs, deploy, deployment, release, pipeline, build pipeline, workflow run, incident, on call, pagerduty, opsgenie, sre",
        medium: "infrastructure, cluster, pod, node, server management, ssh, provision, orchestration, rollout, registry, image, service mesh, istio, nginx, apache, load balancer, vm, virtual machine, proxmox, vmware, ops",
        weak: "build, environment, config, configuration",
    },
    Category {
        id: "e-commerce",
        label: "E-commerce",
        description: "Run or shop online stores: Shopify, WooCommerce, Amazon, product catalogues, orders.",
        strong: "e commerce, ecommerce, shopify, woocommerce, magento, bigcommerce, amazon seller, amazon product, etsy, ebay, shop, store front, storefront, product catalog, shopping, shopping cart, checkout, order management, inventory, merchant, marketplace, walmart, aliexpress, mercado libre, commercetool, salesforce commerce, product listing, price comparison, coupon, retail",
        medium: "commerce, product, order, cart, sku, pricing, catalog, seller, buyer, sale, purchase, marketing, advertising, google ad, meta ad, seo, lead generation, sales funnel",
        weak: "store, buy, sell",
    },
    Category {
        id: "email",
        label: "Email",
        description: "Read, search and send email: Gmail, Outlook, IMAP/SMTP, newsletters.",
        strong: "email, e mail, gmail, outlook, imap, smtp, mailbox, inbox, mailgun, sendgrid, resend, postmark, mailchimp, newsletter, mail server, proton mail, protonmail, fastmail, mailjet, mail",
        medium: "send email, read email, message, thread, draft, attachment, label, unsubscribe",
        weak: "send, reply",
    },
    Category {
        id: "file-systems",
        label: "File systems",
        description: "Read, write and search local or remote files and cloud drives.",
        strong: "file system, filesystem, file, files, directory, folder, read file, write file, file management, file operation, google drive, dropbox, onedrive, box com, sharepoint, ftp, sftp, webdav, nas, file storage, disk, path, local file",
        medium: "upload, download, storage, document, edit file, archive, zip, pdf file, read write, drive",
        weak: "local, read, write, content",
    },
    Category {
        id: "finance",
        label: "Finance",
        description: "Money: payments, banking, accounting, markets, trading and crypto.",
        strong: "finance, financial, stock, stock market, trading, trade, trader, broker, brokerage, crypto, cryptocurrency, bitcoin, ethereum, solana, blockchain, defi, web3, wallet, token price, dex, nft, payment, stripe, paypal, invoice, invoicing, accounting, quickbooks, xero, bank, banking, plaid, tax, budget, expense, portfolio, investment, forex, market data, yahoo finance, alpha vantage, polymarket, prediction market, sec filing, edgar, coinbase, binance, hyperliquid, uniswap, evm, onchain, on chain, smart contract, fintech, loan, credit, insurance",
        medium: "price, market, ticker, quote, fund, asset, exchange, revenue, earning, currency, money, transaction, billing, subscription, pay, erc20, chain, ledger",
        weak: "cost, rate, account",
    },
    Category {
        id: "iot-home",
        label: "IoT & home",
        description: "Control devices and the physical world: Home Assistant, smart homes, sensors, robots, cars.",
        strong: "iot, internet of thing, home assistant, homeassistant, smart home, home automation, zigbee, mqtt, sensor, thermostat, philips hue, hue, smartthings, tuya, esp32, arduino, raspberry pi, robot, robotic, ros, drone, tesla, vehicle, car, 3d printer, printer, octoprint, plc, modbus, industrial, device control, bluetooth, light bulb, camera feed",
        medium: "device, home, light, switch, automation, hardware, serial, gpio, firmware, embedded, energy, solar, battery",
        weak: "control, physical",
    },
    Category {
        id: "knowledge-bases",
        label: "Documents & knowledge bases",
        description: "Work with documents and knowledge: Notion, Confluence, Obsidian, wikis, PDFs, RAG over docs.",
        strong: "wordpress, cms, blog, pymupdf, markitdown, notebooklm, paperless, document management, notion, confluence, obsidian, wiki, wikipedia, knowledge base, knowledge management, documentation site, google doc, word document, docx, pdf, markdown note, note, notes, note taking, logseq, roam, evernote, onenote, joplin, rag, retrieval augmented, document retrieval, semantic search, zotero, arxiv, paper, research paper, pubmed, scholar, academic, citation, epub, book, library, readwise, anytype, bookstack, gitbook, mintlify, docusaurus, read the doc",
        medium: "textbook, course, education, learning management, document, knowledge, page, article, content, text, reference, research, dictionary, encyclopedia, bible, dataset, corpus, embedding, vector",
        weak: "documentation, doc, information, learn",
    },
    Category {
        id: "maps-travel",
        label: "Maps & travel",
        description: "Places and movement: maps, geocoding, directions, weather, flights, hotels, transit.",
        strong: "map, maps, google map, openstreetmap, osm, mapbox, geocode, geocoding, geolocation, location, direction, route, routing, navigation, place, places, poi, gps, coordinate, latitude, longitude, travel, trip, flight, airline, airport, hotel, booking, airbnb, tripadvisor, transit, train, bus, railway, metro, subway, weather, forecast, meteo, climate, amap, gaode, baidu map, here map",
        medium: "storm, hurricane, earthquake, city, country, address, distance, tour, tourism, destination, journey, traffic, parking, ride, uber, geo, earth, satellite, ocean, temperature, rain",
        weak: "local, near, nearby",
    },
    Category {
        id: "media",
        label: "Media",
        description: "Images, audio, video and music: editing, generation, transcription, streaming platforms.",
        strong: "anilist, trakt, tv show, maya, video quality, camera control, ocr, tesseract, image, images, photo, photography, video, audio, music, song, spotify, youtube, podcast, ffmpeg, imagemagick, photoshop, illustrator, premiere, after effect, blender, 3d model, 3d, animation, gif, svg, icon, sound, voice, speech, transcribe, transcription, subtitle, caption, tiktok, twitch, vimeo, soundcloud, apple music, midi, ableton, davinci, canva, unsplash, pexels, meme, comic, movie, film, tmdb, imdb, anime, game, gaming, steam, minecraft, roblox, chess",
        medium: "media, picture, camera, render, edit, editing, design, graphic, font, color, stream, streaming, playlist, artist, album, art, drawing, create image, generate image, visual, thumbnail, tts",
        weak: "play, content, creative",
    },
    Category {
        id: "memory",
        label: "Memory",
        description: "Give assistants long-term memory: knowledge graphs of facts, persistent context, recall.",
        strong: "memory, memories, long term memory, persistent memory, knowledge graph, remember, recall, mem0, zep, letta, context memory, agent memory, memory bank, memory layer, persistent context, session memory, conversation history, entity relation, observation",
        medium: "persistent, persist, context management, context window, remembering, forget, entity, relation, journal, diary, personal knowledge",
        weak: "store, history, session",
    },
    Category {
        id: "monitoring",
        label: "Monitoring & observability",
        description: "Watch running systems: logs, metrics, traces, errors, uptime, alerts.",
        strong: "observability, opentelemetry, instrumentation, instana, profiling tool, monitoring, monitor, observability, instrumentation, openinference, opentelemetry, log, logs, logging, metric, metrics, trace, tracing, opentelemetry, otel, prometheus, grafana, datadog, sentry, new relic, newrelic, splunk, elastic apm, loki, jaeger, honeycomb, dynatrace, cloudwatch, uptime, alert, alerting, error tracking, apm, langfuse, langsmith, helicone, arize, llm observability, incident, status page, health check",
        medium: "dashboard, event, performance, latency, debug, debugging, audit, telemetry, analytics, profiling, profiler, crash, exception",
        weak: "status, health, error",
    },
    Category {
        id: "os-control",
        label: "Operating system control",
        description: "Drive the computer itself: shell commands, terminals, desktop apps, screens, keyboard and mouse.",
        strong: "shell, shell command, terminal, bash, zsh, powershell, execute command, run command, desktop automation, computer use, mouse, keyboard, screen capture, macos, mac os, applescript, apple script, automator, shortcut, clipboard, system command, os, operating system, accessibility, ui automation, gui automation, android, ios, adb, iphone, simulator, emulator, app control, finder, system information, system info",
        medium: "screen, screenshot, command, command line, desktop, window, windows, process, computer, local machine, launch, kill, cpu, memory usage, pid, sudo, apple, note app, reminder app, calendar app, ssh",
        weak: "system, control, linux",
    },
    Category {
        id: "other",
        label: "Other",
        description: "Servers that fit no other category (demos, examples, miscellany).",
        strong: "",
        medium: "",
        weak: "",
    },
    Category {
        id: "productivity",
        label: "Calendars & productivity",
        description: "Plan and track work: calendars, tasks, project management, CRM, time tracking, forms.",
        strong: "diagram, diagrams, mermaid, drawio, draw io, whiteboard, excalidraw, shortcut, lms, canvas lms, bug tracker, bugzilla, marvin, calendar, google calendar, caldav, servicenow, miro, erp, erpnext, work item, microsoft graph, support system, n8n workflow, event scheduling, schedule, scheduling, meeting, appointment, todo, to do, todoist, task, task management, project management, jira, linear, asana, trello, clickup, monday com, basecamp, taskwarrior, ticktick, reminder, time tracking, toggl, harvest, clockify, productivity, kanban, okr, calendly, cal com, zoom, google meet, google workspace, microsoft 365, office 365, ms365, airtable, coda, smartsheet, workflow automation, zapier, n8n, make com, ifttt, hubspot, salesforce, crm, pipedrive, zendesk, freshdesk, helpdesk, ticket, issue tracker, hr, recruiting, pomodoro, habit",
        medium: "timezone, time zone, current time, plan, planning, organize, deadline, agenda, event, project, issue, sprint, backlog, team, collaboration, workspace, office, form, survey, contact, customer support, support ticket, note, checklist, goal, time, date",
        weak: "work, manage, management",
    },
    Category {
        id: "search",
        label: "Search",
        description: "Search the web or other corpora: web search APIs, news, academic and people search.",
        strong: "seo, serp, dataforseo, searxng, web search, search engine, google search, bing, brave search, duckduckgo, tavily, exa, serper, serpapi, searxng, kagi, perplexity search, you com, search api, internet search, real time search, news search, search result, search web, searching, research assistant, deep research, baidu search, jina search, metaso, websearch",
        medium: "search, find, lookup, look up, query, news, discover, retrieve, information retrieval, research, semantic search, full text search, ranking",
        weak: "result, internet, online",
    },
    Category {
        id: "security",
        label: "Security",
        description: "Security work: vulnerability scanning, secrets, auth, pentesting, threat intelligence, compliance.",
        strong: "captcha, recaptcha, tamper evident, security, vulnerability, infisical, secrets management, antivirus, vulnerabilities, cve, pentest, pentesting, penetration testing, exploit, malware, threat, threat intelligence, osint, virustotal, shodan, nmap, burp, owasp, sast, dast, secret scanning, secret, vault, hashicorp vault, 1password, bitwarden, password manager, password, encryption, encrypt, decrypt, cryptography, certificate, tls, ssl, auth, authentication, authorization, oauth, sso, identity, iam policy, compliance, audit, siem, soc, firewall, intrusion, phishing, forensic, reverse engineering, ghidra, ida pro, binary analysis, semgrep, snyk, trivy, prompt injection, guardrail, permission, access control, zero trust",
        medium: "secure, scan, scanner, risk, attack, protect, protection, safe, safety, privacy, sensitive, pii, redact, token, key, credential, verify, verification, signature, policy",
        weak: "check, validate",
    },
    Category {
        id: "version-control",
        label: "Version control",
        description: "Git and forges: repositories, commits, branches, pull requests, issues on GitHub, GitLab, Bitbucket.",
        strong: "git, github, gitlab, bitbucket, gitea, forgejo, codeberg, azure repo, pull request, merge request, commit, branch, repository, repo, version control, diff, svn, mercurial, gerrit, code review, changelog, git history, blame",
        medium: "issue, release, tag, fork, clone, merge, checkout, stash, rebase, patch, review",
        weak: "version, history",
    },
];

/// Term index: stemmed term → (category index, weight).
pub fn term_index() -> &'static BTreeMap<String, Vec<(usize, f64)>> {
    static INDEX: OnceLock<BTreeMap<String, Vec<(usize, f64)>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: BTreeMap<String, Vec<(usize, f64)>> = BTreeMap::new();
        for (i, c) in CATEGORIES.iter().enumerate() {
            for (list, weight) in [(c.strong, 1.0), (c.medium, 0.6), (c.weak, 0.3)] {
                for phrase in list.split(',') {
                    let toks = text::tokens(phrase);
                    if toks.is_empty() || toks.len() > 3 {
                        continue;
                    }
                    let key = toks.join(" ");
                    let entry = m.entry(key).or_default();
                    match entry.iter_mut().find(|(ci, _)| *ci == i) {
                        Some(e) => e.1 = f64::max(e.1, weight),
                        None => entry.push((i, weight)),
                    }
                }
            }
        }
        m
    })
}

/// The category with this id.
pub fn get(id: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_unique_slugs() {
        let ids: Vec<&str> = CATEGORIES.iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), 25);
        for id in ids {
            assert!(id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        }
    }

    #[test]
    fn every_category_but_other_has_terms_of_at_most_three_words() {
        for c in CATEGORIES {
            for list in [c.strong, c.medium, c.weak] {
                for phrase in list.split(',').filter(|p| !p.trim().is_empty()) {
                    let n = text::tokens(phrase).len();
                    assert!((1..=3).contains(&n), "{}: {phrase:?}", c.id);
                }
            }
        }
        let index = term_index();
        for (i, c) in CATEGORIES.iter().enumerate() {
            let has = index.values().any(|v| v.iter().any(|(ci, _)| *ci == i));
            assert_eq!(has, c.id != OTHER, "{}", c.id);
        }
    }
}
