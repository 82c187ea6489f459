/* The app's browser-side widgets (ccsim/ui/widgets.py): Vue components with render
   functions in an ES module, so they never wait for Vue's template compiler (a 790 kB
   script) to load and compile them. */
import { h } from "vue";

/* Save what `url` points to as a file named `filename`. */
function save(url, filename) {
  const link = Object.assign(document.createElement("a"), {href: url, download: filename});
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/* An echarts chart.  `option` (the layout) is set in full when it changes; `update` (data
   and marks, sent every week) is merged into it, so a new week redraws without rebuilding
   axes.  After a week is drawn, the root element's data-week attribute says which week the
   chart shows (tests and benchmarks wait for it), data-marks how many events and changes are
   marked, data-series how many lines it has; `drawn` tells the server the same, so that Play
   never runs ahead of the browser.  `png` counts requests to download the chart as a PNG. */
export const EChart = {
  render() {
    return h("div", {class: "ccsim-echart", "data-name": this.name},
             [h("div", {ref: "chart", style: {height: this.height, width: "100%"}})]);
  },
  mounted() {
    this.optionDirty = true;
    /* through requirejs, as Solara's page does (ccsim/assets/custom.js loads it early) */
    window.requirejs([`${window.solara.cdn}/${this.lib}`], (echarts) => {
      if (this.unmounted) return;
      this.chart = echarts.init(this.$refs.chart, null, {renderer: "canvas"});
      this.apply();
      this.resizeObserver = new ResizeObserver(() => this.chart && this.chart.resize());
      this.resizeObserver.observe(this.$refs.chart);
    });
  },
  beforeUnmount() {
    this.unmounted = true;
    if (this.resizeObserver) this.resizeObserver.disconnect();
    if (this.chart) this.chart.dispose();
  },
  watch: {
    option() { this.optionDirty = true; this.schedule(); },
    update() { this.schedule(); },
    png() {
      if (this.chart) {
        save(this.chart.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#ffffff"}), this.png_name);
      }
    },
  },
  methods: {
    schedule() {
      if (this.pending) return;
      this.pending = true;
      Promise.resolve().then(() => { this.pending = false; this.apply(); });
    },
    apply() {
      if (!this.chart) return;
      if (this.optionDirty) {
        this.chart.setOption(this.option, true);
        this.optionDirty = false;
      }
      if (this.update && this.update.option) this.chart.setOption(this.update.option);
      this.chart.getZr().flush();
      this.$el.dataset.week = this.update ? this.update.week : "";
      if (this.update && this.update.week !== undefined) this.drawn = this.update.week;
      this.$el.dataset.marks = this.update ? this.update.marks || 0 : 0;
      this.$el.dataset.series = (this.option.series || []).length;
    },
  },
};

/* A line of text that the page rewrites every week without re-rendering anything. */
export const Readout = {
  render() { return h("span", {class: this.kind}, this.text); },
};

/* Keeps the page's address in step with the run (seed, preset, parameters), without
   reloading, so that a copied link reproduces what is on the screen. */
export const UrlSync = {
  render() { return h("span", {class: "ccsim-url-sync", style: {display: "none"}}); },
  mounted() { this.write(); },
  watch: { query() { this.write(); } },
  methods: {
    write() {
      const target = window.location.pathname + (this.query ? "?" + this.query : "");
      if (target !== window.location.pathname + window.location.search) {
        window.history.replaceState(window.history.state, "", target);
      }
    },
  },
};

/* Saves `file` ({name, type, text}) whenever it changes. */
export const Download = {
  render() { return h("span", {class: "ccsim-download", style: {display: "none"}}); },
  watch: {
    file(file) {
      const url = URL.createObjectURL(new Blob([file.text], {type: file.type}));
      save(url, file.name);
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  },
};
