// The navbar bell: fetch the unread count after the page has loaded, so that rendering a page
// never pays a query for it. The fragment comes from our own template (escaped by Django).
document.addEventListener("DOMContentLoaded", function () {
  var slot = document.querySelector("[data-notification-bell]");
  if (!slot || !window.fetch) return;
  fetch(slot.getAttribute("data-url"), { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.text() : null; })
    .then(function (html) { if (html) slot.innerHTML = html; })
    .catch(function () {});
});
