// The Returns screen waits for a scanner: the search box keeps the focus, and its text is selected for the next scan.
(function () {
  const search = document.getElementById("return-search");
  if (!search) return;
  const focus = () => { search.focus(); search.select(); };
  window.addEventListener("load", focus);
  focus();
})();
