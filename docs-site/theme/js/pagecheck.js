// docs-site/theme/js/pagecheck.js — a page that checks itself: counts broken images once everything has loaded.
// Writes <body data-broken-images="N"> and one console line "PAGECHECK broken=N images=M"; tests/site/check_site reads both.
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (img) { return !img.complete || img.naturalWidth === 0; });
  document.body.setAttribute("data-broken-images", String(broken.length));
  console.log("PAGECHECK broken=" + broken.length + " images=" + images.length +
              (broken.length ? " first=" + broken[0].getAttribute("src") : ""));
});
