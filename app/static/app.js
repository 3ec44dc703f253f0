// Progressive enhancement only; every page works without JavaScript.
(function () {
  "use strict";

  // Topic suggestions for the comma-separated tags box on the post form.
  // Without JavaScript the box is plain text: the server maps what was typed onto topics.
  function TagSuggestions(input) {
    this.input = input;
    this.url = input.getAttribute("data-suggest-url");
    this.options = [];
    this.active = -1;
    this.timer = null;
    this.request = 0;

    var id = input.id + "-suggestions";
    this.list = document.createElement("ul");
    this.list.id = id;
    this.list.className = "govuk-body app-suggestions";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Suggested topics");
    this.list.hidden = true;

    // Announces how many suggestions there are, for screen reader users.
    this.status = document.createElement("div");
    this.status.className = "govuk-visually-hidden";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");

    var group = input.closest(".govuk-form-group") || input;
    group.insertAdjacentElement("afterend", this.list);
    this.list.insertAdjacentElement("afterend", this.status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKeydown.bind(this));
    input.addEventListener("blur", function () {
      // Let a click on a suggestion land before the list closes.
      window.setTimeout(this.close.bind(this), 150);
    }.bind(this));
    // mousedown, not click: it fires before the input loses focus.
    this.list.addEventListener("mousedown", function (event) {
      var item = event.target.closest("li[data-index]");
      if (item) {
        event.preventDefault();
        this.choose(Number(item.getAttribute("data-index")));
      }
    }.bind(this));
  }

  // The topic being typed: the text after the last comma or semicolon.
  TagSuggestions.prototype.currentTerm = function () {
    var parts = this.input.value.split(/[,;]/);
    return parts[parts.length - 1].trim();
  };

  TagSuggestions.prototype.onInput = function () {
    var term = this.currentTerm();
    window.clearTimeout(this.timer);
    if (term.length < 2) {
      this.close();
      return;
    }
    this.timer = window.setTimeout(this.fetch.bind(this, term), 150);
  };

  TagSuggestions.prototype.fetch = function (term) {
    var ticket = ++this.request;
    var url = this.url + "?q=" + encodeURIComponent(term);
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (results) {
        // Ignore answers that arrive after a newer question.
        if (ticket === this.request) {
          this.show(Array.isArray(results) ? results : []);
        }
      }.bind(this))
      .catch(function () { this.close(); }.bind(this));
  };

  TagSuggestions.prototype.alreadyChosen = function () {
    var chosen = {};
    var parts = this.input.value.split(/[,;]/);
    parts.slice(0, -1).forEach(function (part) { chosen[part.trim().toLowerCase()] = true; });
    return chosen;
  };

  TagSuggestions.prototype.show = function (results) {
    var chosen = this.alreadyChosen();
    this.options = results.filter(function (r) { return !chosen[r.label.toLowerCase()]; });
    this.active = -1;
    this.list.textContent = "";
    if (!this.options.length) {
      this.close();
      return;
    }
    this.options.forEach(function (option, index) {
      var item = document.createElement("li");
      item.id = this.list.id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.setAttribute("data-index", String(index));
      item.textContent = option.label;
      this.list.appendChild(item);
    }, this);
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    var count = this.options.length;
    this.status.textContent = count + (count === 1 ? " topic suggested" : " topics suggested") +
      ". Use up and down arrows to choose.";
  };

  TagSuggestions.prototype.close = function () {
    this.list.hidden = true;
    this.list.textContent = "";
    this.options = [];
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  TagSuggestions.prototype.highlight = function (index) {
    var items = this.list.querySelectorAll("li");
    if (!items.length) {
      return;
    }
    this.active = (index + items.length) % items.length;
    for (var i = 0; i < items.length; i++) {
      items[i].setAttribute("aria-selected", i === this.active ? "true" : "false");
    }
    this.input.setAttribute("aria-activedescendant", items[this.active].id);
  };

  // Replace the topic being typed with the chosen label, ready for the next one.
  TagSuggestions.prototype.choose = function (index) {
    var option = this.options[index];
    if (!option) {
      return;
    }
    var value = this.input.value;
    var cut = Math.max(value.lastIndexOf(","), value.lastIndexOf(";"));
    var before = cut >= 0 ? value.slice(0, cut + 1) + " " : "";
    this.input.value = before + option.label + ", ";
    this.close();
    this.status.textContent = option.label + " added.";
    this.input.focus();
  };

  TagSuggestions.prototype.onKeydown = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      this.highlight(this.active + 1);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      this.highlight(this.active - 1);
    } else if (event.key === "Enter" && open && this.active >= 0) {
      // Choose the suggestion instead of submitting the form.
      event.preventDefault();
      this.choose(this.active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      this.close();
    }
  };

  function init() {
    if (!window.fetch || !Element.prototype.closest) {
      return;
    }
    var inputs = document.querySelectorAll('input[data-module="app-tag-suggestions"]');
    Array.prototype.forEach.call(inputs, function (input) { new TagSuggestions(input); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
