// Draws a deployed BPMN diagram with bpmn-js's NavigatedViewer (copied from node_modules into
// static/vendor at build time; never a CDN) and marks what the server says about an instance:
// active elements, the path taken, elements with incidents. Lists come in data-* attributes as JSON.
(function () {
  "use strict";

  function list(node, name) {
    var value = node.getAttribute("data-" + name);
    return value ? JSON.parse(value) : [];
  }

  function draw(node) {
    var canvasNode = node.querySelector(".diagram-canvas");
    var viewer = new window.BpmnJS({ container: canvasNode });
    fetch(node.getAttribute("data-bpmn-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var overlays = viewer.get("overlays");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");

        function mark(ids, css, label, testid) {
          ids.forEach(function (id) {
            if (!registry.get(id)) { return; }
            canvas.addMarker(id, css);
            // A waiting boundary timer is marked but not labelled: its task's label says enough.
            if (!label || registry.get(id).type === "bpmn:BoundaryEvent") { return; }
            var badge = document.createElement("span");
            badge.className = "yg-badge " + css + "-badge";
            badge.setAttribute("data-element-id", id);
            badge.setAttribute("data-testid", testid);
            badge.textContent = label;
            overlays.add(id, css, { position: { top: -14, right: 14 }, html: badge });
          });
        }

        mark(list(node, "completed"), "yg-completed");
        mark(list(node, "flows"), "yg-taken");
        mark(list(node, "active"), "yg-active", node.getAttribute("data-label-active"), "overlay-active");
        mark(list(node, "incidents"), "yg-incident", node.getAttribute("data-label-incident"), "overlay-incident");
        node.setAttribute("data-rendered", "true");
      })
      .catch(function (error) {
        var message = node.querySelector(".diagram-error");
        message.hidden = false;
        message.textContent += " " + error.message;
        node.setAttribute("data-rendered", "failed");
      });
  }

  document.querySelectorAll("[data-bpmn-url]").forEach(draw);
})();
