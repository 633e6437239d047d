// The search page: pagefind's UI over the index in pagefind/, the query taken from
// `?q=` (the search box in every page's header). Opened from disk the browser will not
// let pagefind fetch its index, so the page says so and keeps its list of registers.
(function () {
  var box = document.getElementById("search");
  if (location.protocol === "file:" || typeof PagefindUI === "undefined") {
    document.getElementById("search-offline").hidden = false;
    return;
  }
  // This script is at <root>/assets/search.js: the site's root path, under any base_url.
  var root = new URL("../", document.currentScript.src).pathname;
  box.hidden = false;
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: root + "pagefind/",
    baseUrl: root,
    showImages: false,
    resetStyles: false,
  });
  // pagefind's box is named only by its placeholder: give it a name of its own.
  var input = box.querySelector("input");
  if (input) input.setAttribute("aria-label", "Search the site");
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
