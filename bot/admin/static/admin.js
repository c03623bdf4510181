// The team console's only script of its own (htmx does the rest).
// consoleDraft(): true while a reply is being written, so the live handoff list
// (htmx polling) does not replace the text box under the person typing.
function consoleDraft() {
  var list = document.getElementById("handoff-list");
  if (!list) return false;
  var boxes = list.querySelectorAll("textarea");
  for (var i = 0; i < boxes.length; i++) {
    if (boxes[i].value.trim() !== "" || boxes[i] === document.activeElement) return true;
  }
  return false;
}
