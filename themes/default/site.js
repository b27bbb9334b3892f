// The default theme's only script: the home page's 图片新闻 slideshow and the photo
// lightbox. Both enhance markup that works without it (a row of photos; links to the
// full pictures), and both work by keyboard.
(function () {
  "use strict";
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var elder = document.documentElement.classList.contains("elder");

  // 打印: a link, not a javascript: URL (the Content-Security-Policy refuses those).
  document.querySelectorAll("[data-print]").forEach(function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
  });

  // Slideshow: one slide at a time, 上一张/下一张 buttons, dots, arrow keys; advances every
  // 6 s unless the reader prefers less motion, uses 适老化 mode, hovers or focuses it.
  document.querySelectorAll("[data-slideshow]").forEach(function (box) {
    var slides = box.querySelectorAll(".slide");
    if (slides.length < 2) return;
    var at = 0, timer = null, held = false;
    var status = box.querySelector(".slide-status");
    var dots = box.querySelectorAll(".dots button");
    function show(i) {
      at = (i + slides.length) % slides.length;
      slides.forEach(function (s, k) { s.hidden = k !== at; });
      dots.forEach(function (d, k) { d.setAttribute("aria-current", k === at ? "true" : "false"); });
      if (status) status.textContent = "第 " + (at + 1) + " 张，共 " + slides.length + " 张";
    }
    function start() {
      if (reduced || elder || held || timer) return;
      timer = setInterval(function () { show(at + 1); }, 6000);
    }
    function stop() { clearInterval(timer); timer = null; }
    box.classList.add("enhanced");
    box.querySelector(".prev").addEventListener("click", function () { show(at - 1); });
    box.querySelector(".next").addEventListener("click", function () { show(at + 1); });
    dots.forEach(function (d, k) { d.addEventListener("click", function () { show(k); }); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "ArrowLeft") { show(at - 1); e.preventDefault(); }
      if (e.key === "ArrowRight") { show(at + 1); e.preventDefault(); }
    });
    box.addEventListener("mouseenter", function () { held = true; stop(); });
    box.addEventListener("mouseleave", function () { held = false; start(); });
    box.addEventListener("focusin", function () { held = true; stop(); });
    box.addEventListener("focusout", function () { held = false; start(); });
    show(0);
    start();
  });

  // Lightbox: a link to a photo opens it large in a modal dialog with its caption;
  // ←/→ move through the article's photos, Esc or 关闭 closes and focus returns.
  var links = Array.prototype.slice.call(document.querySelectorAll("a.lightbox"));
  if (!links.length || typeof HTMLDialogElement !== "function") return;
  var dlg = document.createElement("dialog");
  dlg.className = "lightbox-dialog";
  dlg.setAttribute("aria-label", "查看大图");
  dlg.innerHTML = '<figure><img alt=""><figcaption></figcaption></figure>' +
    '<p class="lb-bar"><button type="button" class="lb-prev">上一张</button> <span class="lb-count"></span> ' +
    '<button type="button" class="lb-next">下一张</button> <button type="button" class="lb-close">关闭</button></p>';
  document.body.appendChild(dlg);
  var img = dlg.querySelector("img"), cap = dlg.querySelector("figcaption"), count = dlg.querySelector(".lb-count");
  var current = 0, opener = null;
  function open(i) {
    current = (i + links.length) % links.length;
    var a = links[current];
    img.src = a.getAttribute("href");
    img.alt = a.getAttribute("data-caption") || (a.querySelector("img") || {}).alt || "";
    cap.textContent = a.getAttribute("data-caption") || "";
    count.textContent = (current + 1) + " / " + links.length;
    if (!dlg.open) dlg.showModal();
  }
  links.forEach(function (a, i) {
    a.addEventListener("click", function (e) { e.preventDefault(); opener = a; open(i); });
  });
  dlg.querySelector(".lb-prev").addEventListener("click", function () { open(current - 1); });
  dlg.querySelector(".lb-next").addEventListener("click", function () { open(current + 1); });
  dlg.querySelector(".lb-close").addEventListener("click", function () { dlg.close(); });
  dlg.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") { open(current - 1); e.preventDefault(); }
    if (e.key === "ArrowRight") { open(current + 1); e.preventDefault(); }
  });
  dlg.addEventListener("click", function (e) { if (e.target === dlg) dlg.close(); });
  dlg.addEventListener("close", function () { if (opener) opener.focus(); });
})();
