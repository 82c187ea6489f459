/* ccsim ui: as soon as the page has loaded, while the server prepares the session, load the
   scripts its first view needs (Solara's page would ask for them only as the widgets
   arrive): the Vue widget libraries, the app's own widgets (widgets.js beside this file)
   and echarts for its charts. */
document.addEventListener("DOMContentLoaded", () => {
  requirejs.config({paths: {"ccsim-widgets": `${solara.rootPath}/static/assets/widgets`}});
  requirejs(["jupyter-vue", "jupyter-vuetify", "ccsim-widgets",
             `${solara.cdn}/echarts@5.4.0/dist/echarts.min.js`]);
});
