// Hisper: progressive enhancement only. Adds a copy button to code blocks marked data-copy.
// Every page is fully readable without this script.
(function () {
  "use strict";
  function addButtons() {
    var blocks = document.querySelectorAll("pre[data-copy]");
    for (var i = 0; i < blocks.length; i++) {
      (function (pre) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.className = "copy";
        btn.textContent = "Copy";
        btn.setAttribute("aria-label", "Copy to clipboard");
        btn.addEventListener("click", function () {
          var text = pre.textContent || "";
          var done = function () {
            btn.textContent = "Copied";
            setTimeout(function () { btn.textContent = "Copy"; }, 1500);
          };
          if (navigator.clipboard && navigator.clipboard.writeText) {
            navigator.clipboard.writeText(text).then(done, function () { btn.textContent = "Select and copy"; });
          }
        });
        pre.parentNode.insertBefore(btn, pre);
      })(blocks[i]);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addButtons);
  } else {
    addButtons();
  }
})();
