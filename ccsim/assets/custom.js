/* ccsim ui: as soon as the page has loaded, while the server prepares the session, load the
   scripts its first view needs (Solara's page would ask for them only as the widgets
   arrive): the Vue widget libraries, whose start-up loads the ES module support that
   ccsim/ui/widgets.mjs needs, and echarts for its charts. */
document.addEventListener("DOMContentLoaded", () => {
  requirejs(["jupyter-vue", "jupyter-vuetify", `${solara.cdn}/echarts@5.4.0/dist/echarts.min.js`]);
});
