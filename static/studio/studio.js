// Toasts fade out on their own; htmx responses can add more through the
// "studio:toast" event (HX-Trigger header).
(function () {
  function dismissLater(toast) {
    setTimeout(function () { toast.remove(); }, 6000);
  }
  function addToast(text, level) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "success");
    toast.setAttribute("role", "status");
    toast.textContent = text;
    box.appendChild(toast);
    dismissLater(toast);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts .toast").forEach(dismissLater);
  });
  document.addEventListener("studio:toast", function (event) {
    addToast(event.detail.value || event.detail.message, event.detail.level);
  });
})();

// Parameter tabs: every panel is in the form (so all values are posted); the
// tabs only choose which one shows.
(function () {
  function setUpTabs(root) {
    root.querySelectorAll(".tabs").forEach(function (tabs) {
      var form = tabs.closest("form");
      var buttons = tabs.querySelectorAll("[data-tab]");
      function show(name) {
        buttons.forEach(function (b) {
          b.setAttribute("aria-selected", String(b.dataset.tab === name));
        });
        form.querySelectorAll("[data-tab-panel]").forEach(function (panel) {
          panel.hidden = panel.dataset.tabPanel !== name;
        });
      }
      buttons.forEach(function (b) {
        b.addEventListener("click", function () { show(b.dataset.tab); });
      });
      // Open the first tab with an error, else the first tab.
      var failing = form.querySelector("[data-tab-panel] .errorlist");
      var first = failing ? failing.closest("[data-tab-panel]").dataset.tabPanel
                          : (buttons[0] && buttons[0].dataset.tab);
      if (first) show(first);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setUpTabs(document); });
  document.addEventListener("htmx:load", function (event) { setUpTabs(event.target); });
})();

// Charts: every element with data-figure holds a plotly figure as JSON.
(function () {
  function drawCharts(root) {
    if (!window.Plotly) return;
    root.querySelectorAll("[data-figure]").forEach(function (element) {
      var figure = JSON.parse(element.dataset.figure);
      window.Plotly.react(element, figure.data, figure.layout, {responsive: true, displaylogo: false});
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
})();

// A link marked data-close-dialog closes the dialog it sits in instead of
// leaving the page.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-close-dialog]");
  var dialog = link && link.closest("dialog");
  if (dialog) {
    event.preventDefault();
    dialog.close();
  }
});
