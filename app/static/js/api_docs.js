// Swagger UI from local assets; the CSRF header lets logged-in users try calls with their session.
(function () {
  var node = document.getElementById("swagger-ui");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  window.SwaggerUIBundle({
    url: node.dataset.specUrl,
    domNode: node,
    requestInterceptor: function (req) { req.headers["X-CSRFToken"] = csrf; return req; }
  });
})();
