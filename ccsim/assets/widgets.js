/* The app's browser-side widgets (ccsim/ui/widgets.py): plain Jupyter widget views in an
   AMD module that Solara's page loads with requirejs (custom.js names its path).  They use
   no Vue, so the page loads neither Vue's template compiler (a 790 kB script) nor the ES
   module shims before it can draw them. */
define(["@jupyter-widgets/base"], (base) => {
  /* Save what `url` points to as a file named `filename`. */
  function save(url, filename) {
    const link = Object.assign(document.createElement("a"), {href: url, download: filename});
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  /* Call `view[method]` now and whenever one of the model's `traits` changes. */
  function follow(view, traits, method) {
    for (const trait of traits) view.listenTo(view.model, `change:${trait}`, () => view[method]());
    view[method]();
  }

  /* An echarts chart.  `option` (the layout) is set in full when it changes; `update` (data
     and marks, sent every week) is merged into it, so a new week redraws without rebuilding
     axes.  After a week is drawn, the root element's data-week attribute says which week the
     chart shows (tests and benchmarks wait for it), data-marks how many events and changes
     are marked, data-series how many lines it has; `drawn` tells the server the same, so
     that Play never runs ahead of the browser.  `png` counts requests to download the chart
     as a PNG. */
  class EChart extends base.DOMWidgetView {
    render() {
      this.el.classList.add("ccsim-echart");
      this.el.dataset.name = this.model.get("name");
      this.box = document.createElement("div");
      this.box.style.width = "100%";
      this.el.appendChild(this.box);
      follow(this, ["height"], "resize");
      this.optionDirty = true;
      this.listenTo(this.model, "change:option", () => { this.optionDirty = true; this.schedule(); });
      this.listenTo(this.model, "change:update", () => this.schedule());
      this.listenTo(this.model, "change:png", () => this.savePng());
      /* through requirejs, as Solara's page does (custom.js asks for it early) */
      window.requirejs([`${window.solara.cdn}/${this.model.get("lib")}`], (echarts) => {
        if (this.removed) return;
        this.chart = echarts.init(this.box, null, {renderer: "canvas"});
        this.apply();
        this.resizeObserver = new ResizeObserver(() => this.chart && this.chart.resize());
        this.resizeObserver.observe(this.box);
      });
    }

    resize() { this.box.style.height = this.model.get("height"); }

    savePng() {
      if (this.chart) {
        save(this.chart.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#ffffff"}),
             this.model.get("png_name"));
      }
    }

    schedule() {
      if (this.pending) return;
      this.pending = true;
      Promise.resolve().then(() => { this.pending = false; this.apply(); });
    }

    apply() {
      if (!this.chart) return;
      const option = this.model.get("option"), update = this.model.get("update");
      if (this.optionDirty) {
        this.chart.setOption(option, true);
        this.optionDirty = false;
      }
      if (update && update.option) this.chart.setOption(update.option);
      this.chart.getZr().flush();
      this.el.dataset.week = update && update.week !== undefined ? update.week : "";
      this.el.dataset.marks = (update && update.marks) || 0;
      this.el.dataset.series = (option.series || []).length;
      if (update && update.week !== undefined) {
        this.model.set("drawn", update.week);
        this.touch();
      }
    }

    remove() {
      this.removed = true;
      if (this.resizeObserver) this.resizeObserver.disconnect();
      if (this.chart) this.chart.dispose();
      return super.remove();
    }
  }

  /* A line of text that the page rewrites every week without re-rendering anything. */
  class Readout extends base.DOMWidgetView {
    render() { follow(this, ["text", "kind"], "write"); }

    write() {
      this.el.className = this.model.get("kind");
      this.el.textContent = this.model.get("text");
    }
  }

  /* Keeps the page's address in step with the run (seed, preset, parameters), without
     reloading, so that a copied link reproduces what is on the screen. */
  class UrlSync extends base.DOMWidgetView {
    render() {
      this.el.style.display = "none";
      follow(this, ["query"], "write");
    }

    write() {
      const query = this.model.get("query");
      const target = window.location.pathname + (query ? "?" + query : "");
      if (target !== window.location.pathname + window.location.search) {
        window.history.replaceState(window.history.state, "", target);
      }
    }
  }

  /* Saves `file` ({name, type, text}) whenever it changes. */
  class Download extends base.DOMWidgetView {
    render() {
      this.el.style.display = "none";
      this.listenTo(this.model, "change:file", () => this.save());
    }

    save() {
      const file = this.model.get("file");
      const url = URL.createObjectURL(new Blob([file.text], {type: file.type}));
      save(url, file.name);
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }
  }

  return {EChart, Readout, UrlSync, Download};
});
