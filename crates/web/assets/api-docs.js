// Starts Swagger UI on the embedded OpenAPI document (kept in a file: pages allow no inline script).
window.addEventListener("load", function () {
  window.SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
