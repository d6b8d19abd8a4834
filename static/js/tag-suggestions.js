// Suggests existing tags of the right kind while an author types in a tag field.
// The fields are plain comma-separated text inputs, so the form works without this script.
(function () {
  "use strict";

  function lastTerm(value) {
    var parts = value.split(",");
    return { before: parts.slice(0, -1).join(","), term: parts[parts.length - 1].trim() };
  }

  function attach(input) {
    var list = document.createElement("datalist");
    list.id = input.id + "_suggestions";
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    input.after(list);
    var timer = null;
    var lastAsked = "";

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var split = lastTerm(input.value);
        if (split.term.length < 2 || split.term === lastAsked) {
          return;
        }
        lastAsked = split.term;
        var url = "/tags/autocomplete?kind=" + encodeURIComponent(input.dataset.tagKind) +
          "&term=" + encodeURIComponent(split.term);
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { tags: [] }; })
          .then(function (data) {
            list.replaceChildren();
            var prefix = split.before ? split.before.trim() + ", " : "";
            data.tags.forEach(function (name) {
              var option = document.createElement("option");
              option.value = prefix + name;
              list.append(option);
            });
          })
          .catch(function () { list.replaceChildren(); });
      }, 200);
    });
  }

  document.querySelectorAll("input[data-tag-kind]").forEach(attach);
})();
