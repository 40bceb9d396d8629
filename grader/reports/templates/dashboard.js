// Sort and filter the students table. Reads only data-* attributes we wrote; never builds HTML.
(function () {
  "use strict";
  var table = document.getElementById("students");
  if (!table) { return; }
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  var filter = document.getElementById("filter");
  var exercise = document.getElementById("exercise-filter");
  var shown = document.getElementById("shown");

  function key(row, col, numeric) {
    var v = row.cells[col].getAttribute("data-sort") || "";
    if (!numeric) { return v.toLowerCase(); }
    var n = parseFloat(v);
    return isNaN(n) ? -Infinity : n;
  }

  function sortBy(col) {
    var th = heads[col];
    var numeric = th.getAttribute("data-type") === "num";
    var asc = th.getAttribute("aria-sort") !== "ascending";
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, col, numeric), y = key(b, col, numeric);
      var c = x < y ? -1 : (x > y ? 1 : 0);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function applyFilter() {
    var q = filter.value.trim().toLowerCase();
    var ex = exercise.value;
    var n = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var id = (r.getAttribute("data-id") || "").toLowerCase();
      var failing = (r.getAttribute("data-failing") || "").split(" ");
      var ok = id.indexOf(q) !== -1 && (!ex || failing.indexOf(ex) !== -1);
      r.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = n + " of " + body.rows.length + " shown";
  }

  Array.prototype.forEach.call(heads, function (th, col) {
    var b = th.querySelector("button");
    if (b) { b.addEventListener("click", function () { sortBy(col); }); }
  });
  filter.addEventListener("input", applyFilter);
  exercise.addEventListener("change", applyFilter);
  applyFilter();
})();
