// docs-site/theme/js/mathjax-config.js — tells the local MathJax 2 to render the \( \) and \[ \] spans of pymdownx.arithmatex.
// Loaded before MathJax.js; nothing else on the page depends on it.
window.MathJax = {
  tex2jax: {inlineMath: [["\\(", "\\)"]], displayMath: [["\\[", "\\]"]], processEscapes: true},
  "HTML-CSS": {availableFonts: ["TeX"]},
  showMathMenu: false,
  messageStyle: "none"
};
