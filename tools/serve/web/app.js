// askalike serve: the page's behaviour. Every piece of record text is put
// into the page as a text node (textContent), never parsed as HTML: a record
// titled "<script>alert(1)</script>" shows exactly that.
"use strict";

const $ = (id) => document.getElementById(id);

// An element with attributes and children; string children become text.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

// The API's highlighted snippet ([{text, highlight}]) as text and <mark>s.
function snippet(parts) {
  const out = document.createDocumentFragment();
  for (const part of parts || []) out.append(part.highlight ? el("mark", {}, part.text) : document.createTextNode(part.text));
  return out;
}

function start(text, chars) {
  const t = (text || "").replace(/\s+/g, " ").trim();
  return t.length > chars ? t.slice(0, chars).trimEnd() + "…" : t;
}

function recordTitle(r) { return r.title || start(r.question, 90) || r.id; }
function recordLink(id) { return "/?id=" + encodeURIComponent(id); }

async function api(path, options) {
  const response = await fetch(path, options);
  let body = null;
  try { body = await response.json(); } catch (e) { /* not JSON */ }
  if (!response.ok) throw new Error(body && body.error ? body.error.message : "HTTP " + response.status);
  return body;
}

function setStatus(text, isError) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", !!isError);
}

// The "Similar Q&A" and "Related FAQ" boxes for one result list.
function showResults(results) {
  const hits = $("hits"), topics = $("topics"), categories = $("categories");
  hits.replaceChildren();
  topics.replaceChildren();
  categories.replaceChildren();
  for (const hit of results.hits) {
    const r = hit.record || {};
    const confidence = Math.round((hit.confidence || 0) * 100);
    const meter = el("span", { class: "meter" }, el("span", {}));
    meter.firstChild.style.width = confidence + "%";
    hits.append(el("li", { class: "hit", "data-id": hit.id },
      el("a", { class: "hit-title", href: recordLink(hit.id) }, recordTitle(r)),
      el("p", { class: "hit-question" }, snippet(hit.question_snippet)),
      el("div", { class: "hit-meta" },
        r.category ? el("span", { class: "dept" }, r.category) : null,
        el("span", { class: "confidence", title: "share of your question's weight that this record matches" },
          meter, confidence + "% match")),
      hit.answer_snippet && hit.answer_snippet.length
        ? el("p", { class: "hit-answer" }, el("span", { class: "label" }, "Reply: "), snippet(hit.answer_snippet), " ",
             el("a", { href: recordLink(hit.id) }, "[Read more]"))
        : null));
  }
  if (!results.hits.length) hits.append(el("li", { class: "empty" }, "No similar questions found."));
  for (const t of results.related_topics) {
    const link = el("a", { href: "/?q=" + encodeURIComponent(t.topic) }, t.topic);
    topics.append(el("li", {}, link, t.category ? el("span", { class: "topic-dept" }, " (" + t.category + ")") : null));
  }
  if (!results.related_topics.length) topics.append(el("li", { class: "empty" }, "No recurring topics."));
  for (const c of results.related_categories)
    categories.append(el("li", {}, c.category + " ", el("span", { class: "topic-dept" }, "(" + c.count + ")")));
  $("results").hidden = false;
}

async function search(text) {
  setStatus("Searching…");
  try {
    const results = await api("/v1/similar", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text, k: 10 }),
    });
    showResults(results);
    setStatus("About " + results.estimated_matches + " matching records.");
  } catch (e) {
    setStatus(e.message, true);
  }
}

// A record laid out like a Q&A page: the question, the reply with its
// department, and its own similar questions beside it.
async function showRecord(id) {
  $("search-view").hidden = true;
  const view = $("record-view");
  view.hidden = false;
  try {
    const { record: r } = await api("/v1/records/" + encodeURIComponent(id));
    document.title = recordTitle(r) + " · askalike";
    const asked = [r.date ? "Asked " + r.date : null, r.category].filter(Boolean).join(" · ");
    const reply = r.answer
      ? el("section", { class: "reply" },
          el("div", { class: "reply-head" },
            (typeof r.doctor === "string" ? r.doctor + " reply" : "Reply") + (r.category ? " · " + r.category : "")),
          el("div", { class: "text answer" }, r.answer))
      : null;
    const source = /^https?:\/\//i.test(r.url || "") ? el("p", {}, el("a", { href: r.url, rel: "noopener" }, "Source")) : null;
    const parts = [
      el("p", { class: "back" }, el("a", { href: "/" }, "← Ask another question")),
      el("h1", { class: "title" }, recordTitle(r)),
      r.question && r.question !== r.title ? el("div", { class: "text question" }, r.question) : null,
      asked ? el("p", { class: "asked" }, asked) : null,
      reply, source];
    view.replaceChildren(...parts.filter(Boolean));
    showResults(await api("/v1/records/" + encodeURIComponent(id) + "/similar?k=5"));
  } catch (e) {
    view.replaceChildren(el("p", { class: "back" }, el("a", { href: "/" }, "← Ask a question")),
                         el("p", { class: "status error" }, e.message));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  api("/healthz").then((h) => { $("db-info").textContent = h.documents.toLocaleString("en") + " records"; })
                 .catch(() => {});
  const params = new URLSearchParams(location.search);
  if (params.get("id")) return showRecord(params.get("id"));
  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("question").value.trim();
    if (!text) return setStatus("Type a question first.", true);
    history.replaceState(null, "", "/?q=" + encodeURIComponent(text));
    search(text);
  });
  if (params.get("q")) {
    $("question").value = params.get("q");
    search(params.get("q"));
  }
});
