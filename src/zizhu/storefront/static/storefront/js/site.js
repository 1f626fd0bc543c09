// Zizhu storefront behaviour. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  // Elder mode's read-aloud button: the browser's own speech synthesis reads <main>.
  function setUpReadAloud() {
    var button = document.getElementById("read-aloud");
    var status = document.getElementById("read-aloud-status");
    if (!button) return;
    var speaking = false;
    button.addEventListener("click", function () {
      if (!("speechSynthesis" in window)) {
        status.textContent = button.dataset.unsupported;
        return;
      }
      if (speaking) {
        window.speechSynthesis.cancel();
        return;
      }
      var text = document.getElementById("main").innerText;
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = document.documentElement.lang === "zh-Hans" ? "zh-CN" : document.documentElement.lang;
      utterance.rate = 0.9;
      utterance.onend = utterance.onerror = function () {
        speaking = false;
        button.textContent = button.dataset.labelStart;
      };
      speaking = true;
      button.textContent = button.dataset.labelStop;
      window.speechSynthesis.speak(utterance);
    });
  }

  // Move focus to the error summary so screen-reader users hear what to fix.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpReadAloud();
    focusErrorSummary();
  });
})();
