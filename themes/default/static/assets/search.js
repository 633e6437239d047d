// The search page. It reads the index `tally build` writes under search/index/
// (see src/render/search/mod.rs): meta.json, then for each query word the one shard of
// words that share its first two letters, then only the chunks of page titles the
// results show. A page must hold every word of the query; a word also finds longer words
// it begins ("rot" finds "rota"), and a word that finds nothing is tried shorter
// ("stipends" finds "stipend"). Pages rank by weight (headings and decisions weigh more)
// times how rare the word is. Opened from disk, the browser will not let the page read
// the index, so it says so and keeps its list of registers.
(function () {
  "use strict";
  var PER_PAGE = 20;
  var form = document.getElementById("search");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var moreWrap = document.getElementById("search-more-wrap");
  var more = document.getElementById("search-more");
  if (location.protocol === "file:" || !window.fetch || !window.TextEncoder) {
    document.getElementById("search-offline").hidden = false;
    return;
  }
  // This script is at <root>/assets/search.js: the site's root, under any base_url.
  var root = new URL("../", document.currentScript.src);
  var base = new URL("search/index/", root);
  var fetched = {};
  var shown = [];
  var ranked = [];
  var current = null;
  form.hidden = false;

  function get(path) {
    if (!fetched[path]) {
      fetched[path] = fetch(new URL(path, base)).then(function (r) {
        if (!r.ok) throw new Error(path + " answered " + r.status);
        return r.json();
      });
    }
    return fetched[path];
  }

  // The same words as the index keys: runs of letters and digits, lower case, 2 to 40.
  function words(text) {
    var seen = {};
    return text.toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u).filter(function (w) {
      var n = Array.from(w).length;
      if (n < 2 || n > 40 || seen[w]) return false;
      seen[w] = true;
      return true;
    });
  }

  function shardKey(word) {
    var bytes = new TextEncoder().encode(Array.from(word).slice(0, 2).join(""));
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // Pages holding `word` or a word it begins, with their scores, and the word that
  // found them (shorter than `word` when `word` itself found nothing).
  function matches(meta, word) {
    var key = shardKey(word);
    var none = Promise.resolve(new Map());
    var found = meta.shards.indexOf(key) < 0 ? none : get("words/" + key + ".json").then(function (shard) {
      var scores = new Map();
      Object.keys(shard).forEach(function (w) {
        if (w.lastIndexOf(word, 0) !== 0) return;
        var postings = shard[w];
        var rarity = Math.log(1 + meta.pages / (postings.length / 2));
        var exact = w === word ? 1 : 0.5;
        // Pages are numbered by the gap from the previous one.
        for (var i = 0, page = 0; i + 1 < postings.length; i += 2) {
          page += postings[i];
          scores.set(page, (scores.get(page) || 0) + postings[i + 1] * rarity * exact);
        }
      });
      return scores;
    });
    return found.then(function (scores) {
      var chars = Array.from(word);
      if (scores.size > 0 || chars.length <= 3) return { scores: scores, word: word };
      return matches(meta, chars.slice(0, -1).join(""));
    });
  }

  function search(query) {
    var terms = words(query);
    current = query;
    list.textContent = "";
    moreWrap.hidden = true;
    if (terms.length === 0) {
      status.textContent = query.trim() ? "Type a word of two letters or more." : "";
      return;
    }
    status.textContent = "Searching…";
    get("meta.json").then(function (meta) {
      return Promise.all(terms.map(function (t) { return matches(meta, t); })).then(function (found) {
        var each = found.map(function (f) { return f.scores; });
        var scores = each.reduce(function (all, next) {
          var both = new Map();
          all.forEach(function (s, page) { if (next.has(page)) both.set(page, s + next.get(page)); });
          return both;
        });
        if (current !== query) return;
        ranked = Array.from(scores).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
        shown = found.map(function (f) { return f.word; });
        status.textContent = ranked.length === 0
          ? "No page holds every word of “" + query + "”."
          : ranked.length + (ranked.length === 1 ? " page" : " pages") + " for “" + query + "”.";
        return showNext(meta);
      });
    }).catch(function (e) {
      status.textContent = "The search index could not be read (" + e.message + "). The registers below list everything on this site.";
    });
  }

  // The next PER_PAGE results, their titles fetched by chunk.
  function showNext(meta) {
    var from = list.children.length;
    var next = ranked.slice(from, from + PER_PAGE);
    var chunks = next.map(function (r) { return Math.floor(r[0] / meta.chunk); });
    return Promise.all(chunks.map(function (c) { return get("pages/" + c + ".json"); })).then(function (loaded) {
      next.forEach(function (r, i) {
        var entry = loaded[i][r[0] % meta.chunk];
        if (entry) list.appendChild(result(entry[0], entry[1], entry[2]));
      });
      moreWrap.hidden = list.children.length >= ranked.length;
      more.onclick = function () { showNext(meta); };
    });
  }

  function result(path, title, excerpt) {
    var item = document.createElement("li");
    item.className = "search-result";
    var link = document.createElement("a");
    link.href = new URL(path, root).href;
    link.textContent = title || path;
    var heading = document.createElement("h2");
    heading.appendChild(link);
    item.appendChild(heading);
    var text = document.createElement("p");
    highlight(text, excerpt);
    item.appendChild(text);
    return item;
  }

  // `text` with the query's words marked, built from text nodes only.
  function highlight(into, text) {
    var pattern = shown.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|");
    var parts = pattern ? text.split(new RegExp("(" + pattern + ")", "giu")) : [text];
    parts.forEach(function (part, i) {
      if (i % 2 === 1) {
        var mark = document.createElement("mark");
        mark.textContent = part;
        into.appendChild(mark);
      } else if (part) {
        into.appendChild(document.createTextNode(part));
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(location.href);
    url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
    search(input.value);
  });
  var query = new URLSearchParams(location.search).get("q");
  if (query) {
    input.value = query;
    search(query);
  }
})();
