// The receipt lookup of /receipts/: hashes the id typed (FNV-1a, 32 bits), reads the one
// shard that holds it (receipts/shards/<hex>.json) and the weeks' seals
// (receipts/weeks.json, one file for all shards), and shows the receipt.
(function () {
  "use strict";
  var form = document.getElementById("receipt-form");
  var out = document.getElementById("receipt-result");
  if (!form || !out) return;
  var bits = parseInt(form.getAttribute("data-bits"), 10) || 0;

  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text);
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash ^= bytes[i];
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }

  function shardOf(id) {
    var index = bits === 0 ? 0 : fnv1a(id) >>> (32 - bits);
    var width = Math.max(1, Math.ceil(bits / 4));
    var hex = index.toString(16);
    while (hex.length < width) hex = "0" + hex;
    return "shards/" + hex + ".json";
  }

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function link(text, href) {
    var a = el("a", text);
    a.href = href;
    return a;
  }

  function show(id, r, week) {
    out.textContent = "";
    var dl = el("dl");
    dl.className = "facts receipt";
    function row(label, value) {
      var div = el("div");
      div.appendChild(el("dt", label));
      var dd = el("dd");
      if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
      div.appendChild(dd);
      dl.appendChild(div);
    }
    row("Receipt", id);
    row("Week", link(week[0] + " (" + r[1] + ")", "../reports/" + r[1] + "/index.html"));
    row("Date", r[0]);
    row("Cell", r[2]);
    row("Need", r[3]);
    row("Quantity", r[5] + " " + r[6]);
    row("Replacement value", r[7] || "not valued (" + r[4] + ")");
    row("Week's seal", week[1] + (week[2] ? ": " + week[2] : ""));
    row("Invoice", r[8] ? link(r[8], "../invoices/" + r[8] + "/index.html") : "not billed yet");
    out.appendChild(dl);
    var p = el("p");
    p.className = "meta";
    p.appendChild(document.createTextNode("Check it yourself: the line of this receipt is in "));
    p.appendChild(link("the week's canonical file", "../data/canonical/" + r[1] + ".txt"));
    p.appendChild(document.createTextNode(", whose SHA-256 is the digest above."));
    out.appendChild(p);
  }

  function notFound(id, why) {
    out.textContent = "";
    out.appendChild(el("p", why || "No receipt " + id + " was found. Check the id on your slip; receipts of the week in progress appear once the site is rebuilt."));
  }

  // Reads `path` as JSON: done(value), or failed(true) when the copy cannot read its
  // files (opened from disk?), failed(false) when the file is missing or not JSON.
  // XMLHttpRequest rather than fetch: it also reads a copy opened from disk where the
  // browser allows it.
  function read(path, done, failed) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", path);
    xhr.onload = function () {
      if (xhr.status !== 200 && xhr.status !== 0) return failed(false);
      var value;
      try {
        value = JSON.parse(xhr.responseText);
      } catch (e) {
        return failed(false);
      }
      done(value);
    };
    xhr.onerror = function () { failed(true); };
    xhr.send();
  }

  var weeks = null;

  function lookUp(id) {
    out.textContent = "Looking up " + id + "…";
    var shard = null, ended = false;
    function failed(unreadable) {
      if (ended) return;
      ended = true;
      if (!unreadable) return notFound(id);
      notFound(id, "This copy of the site cannot read its receipt files (opened from disk?). Find your receipt in its week's canonical file below.");
      document.getElementById("receipt-weeks").open = true;
    }
    function both() {
      if (ended || shard === null || weeks === null) return;
      ended = true;
      var r = shard.receipts && shard.receipts[id];
      if (!r) return notFound(id);
      show(id, r, weeks[r[1]] || ["", "", ""]);
    }
    read(shardOf(id), function (value) { shard = value; both(); }, failed);
    if (weeks === null) {
      // Without the weeks' file the receipt is still shown, its seal left blank.
      read("weeks.json", function (value) { weeks = value; both(); }, function (unreadable) {
        if (unreadable) return failed(true);
        weeks = {};
        both();
      });
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var id = document.getElementById("receipt-id").value.trim();
    if (id) lookUp(id);
  });

  // receipts/#FC-000123 (a link or QR code on the slip) looks the receipt up at once.
  var given = decodeURIComponent(location.hash.replace(/^#/, "")).trim();
  if (given) {
    document.getElementById("receipt-id").value = given;
    lookUp(given);
  }
})();
