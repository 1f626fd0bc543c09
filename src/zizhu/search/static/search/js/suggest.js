// Suggestions under the header search box (ARIA 1.2 combobox with a listbox).
// HTMX fetches the options (hx-get on the input); this file adds the keyboard and the
// open/closed state. Without JavaScript the search form works as a plain GET form.
(function () {
  "use strict";

  function setUp() {
    var input = document.getElementById("site-search");
    var list = document.getElementById("search-suggestions");
    if (!input || !list) return;
    var active = -1;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function open() {
      var any = options().length > 0 && input.value.trim() !== "";
      list.hidden = !any;
      input.setAttribute("aria-expanded", any ? "true" : "false");
    }
    function highlight(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
    function follow(item) {
      if (item && item.dataset.href) window.location.assign(item.dataset.href);
    }

    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target === list) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
        open();
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) open();
        if (list.hidden) return;
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        follow(options()[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
    list.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep focus in the input while choosing
    });
    list.addEventListener("click", function (event) {
      follow(event.target.closest('[role="option"]'));
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
