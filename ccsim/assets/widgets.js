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

  /* An amount as ccsim.ui.words.money writes it: three significant digits, thousands as k
     and millions as M ("262k", "-2.5k", "1.23M"). */
  function money(value) {
    const rounded = Number(value.toPrecision(3));
    const [size, suffix] = [[1e6, "M"], [1e3, "k"]].find(([s]) => Math.abs(rounded) >= s) || [1, ""];
    return `${Number((rounded / size).toPrecision(3))}${suffix}`;
  }

  /* `text` broken into lines no wider than `width` on `context`'s font. */
  function wrap(context, text, width) {
    const lines = [];
    let line = "";
    for (const word of text.split(" ")) {
      const next = line ? line + " " + word : word;
      if (line && context.measureText(next).width > width) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    }
    return lines.concat(line ? [line] : []);
  }

  /* A handout: the chart `image` with `text.head` above it (its first line a title) and
     `text.foot` below, on white, as a PNG data URL. */
  function handout(image, text) {
    const pad = 40, size = 26, gap = 10, width = image.width;
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d");
    const layout = (lines, first) => lines.flatMap((line, i) => {
      context.font = `${i === 0 && first ? "bold " + size * 1.4 : size}px sans-serif`;
      return wrap(context, line, width - 2 * pad).map((part) => [context.font, part]);
    });
    const head = layout(text.head || [], true), foot = layout(text.foot || [], false);
    const line = size + gap;
    canvas.width = width;
    canvas.height = image.height + (head.length + foot.length) * line + 4 * pad;
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = "#000000";
    context.textBaseline = "top";
    let y = pad;
    for (const [font, part] of head) { context.font = font; context.fillText(part, pad, y); y += line; }
    y += pad;
    context.drawImage(image, 0, y);
    y += image.height + pad;
    for (const [font, part] of foot) { context.font = font; context.fillText(part, pad, y); y += line; }
    return canvas.toDataURL("image/png");
  }

  /* Call `view[method]` now and whenever one of the model's `traits` changes. */
  function follow(view, traits, method) {
    for (const trait of traits) view.listenTo(view.model, `change:${trait}`, () => view[method]());
    view[method]();
  }

  /* An echarts chart.  `option` (the layout) is set in full when it changes; `update` (data
     and marks, sent every week as one JSON text, `update_json`) is merged into it, so a new week redraws without rebuilding
     axes.  After a week is drawn, the root element's data-week attribute says which week the
     chart shows (tests and benchmarks wait for it), data-marks how many events and changes
     are marked, data-series how many lines it has, data-layout the size it is laid out
     for (data-size: the size it reported); `drawn` tells the server the same, so
     that Play never runs ahead of the browser; `size` tells it the chart's width and the
     height of the window below it, for which it lays the panels out.  A mark's tooltip is
     `update.tips` (see followMarks).  `png` counts requests to download
     the chart as a PNG handout: `handout.head` lines above the chart (the first a title),
     `handout.foot` lines below. */
  class EChart extends base.DOMWidgetView {
    render() {
      this.el.classList.add("ccsim-echart");
      this.el.dataset.name = this.model.get("name");
      this.box = document.createElement("div");
      this.box.style.width = "100%";
      this.box.style.position = "relative";   /* for a mark's tooltip */
      this.el.appendChild(this.box);
      follow(this, ["height"], "resize");
      this.reportSize();
      this.optionDirty = true;
      this.listenTo(this.model, "change:option", () => { this.optionDirty = true; this.schedule(); });
      this.readUpdate();
      this.listenTo(this.model, "change:update_json", () => { this.readUpdate(); this.schedule(); });
      this.listenTo(this.model, "change:png", () => this.savePng());
      /* through requirejs, as Solara's page does (custom.js asks for it early) */
      window.requirejs([`${window.solara.cdn}/${this.model.get("lib")}`], (echarts) => {
        if (this.removed) return;
        this.chart = echarts.init(this.box, null, {renderer: "canvas"});
        this.followMarks();
        this.apply();
        this.resizeObserver = new ResizeObserver(() => {
          if (this.chart) this.chart.resize();
          this.reportSize();
        });
        this.resizeObserver.observe(this.box);
      });
      this.onWindowResize = () => this.reportSize();
      window.addEventListener("resize", this.onWindowResize);
    }

    /* Tell the server the chart's width and the height of the window below the chart's top
       (in steps of 20 px, a fifth of a second after the last change, so that dragging a
       window is one re-layout). */
    reportSize() {
      clearTimeout(this.sizeTimer);
      this.sizeTimer = setTimeout(() => {
        const top = this.box.getBoundingClientRect().top + window.scrollY;
        const size = [this.box.clientWidth, window.innerHeight - top].map((px) => Math.round(px / 20) * 20);
        const old = this.model.get("size") || [];
        if (size[0] > 0 && (size[0] !== old[0] || size[1] !== old[1])) {
          this.el.dataset.size = size.join("x");
          this.model.set("size", size);
          this.touch();
        }
      }, this.box.clientWidth ? 0 : 200);
    }

    resize() { this.box.style.height = this.model.get("height"); }

    /* Hovering or tapping a mark (a vertical line: a move, an event) shows its tip
       (`update.tips`, in the marks' order: its week, its whole text, a move's note) beside
       the pointer; leaving it, or tapping elsewhere, hides it. */
    followMarks() {
      const show = (params) => {
        const tips = this.latest.tips || [];
        const tip = params.componentType === "markLine" ? tips[params.dataIndex] : undefined;
        if (!tip) return;
        if (!this.tip) {
          this.tip = document.createElement("div");
          this.tip.className = "ccsim-mark-tip";
          this.box.appendChild(this.tip);
        }
        this.tip.textContent = tip;   /* a note is the trainer's text, never markup */
        const x = params.event.offsetX, y = params.event.offsetY;
        const left = x + 12 + 320 > this.box.clientWidth ? Math.max(0, x - 12 - 320) : x + 12;
        Object.assign(this.tip.style, {display: "block", left: `${left}px`, top: `${Math.max(0, y - 10)}px`});
      };
      const hide = () => { if (this.tip) this.tip.style.display = "none"; };
      this.chart.on("mouseover", show);
      this.chart.on("click", show);
      this.chart.on("mouseout", (params) => { if (params.componentType === "markLine") hide(); });
      this.chart.getZr().on("click", (event) => { if (!event.target) hide(); });
      this.chart.getZr().on("globalout", hide);
    }

    savePng() {
      if (!this.chart) return;
      const image = new Image();
      image.onload = () => save(handout(image, this.model.get("handout") || {}), this.model.get("png_name"));
      image.src = this.chart.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#ffffff"});
    }

    /* The week's update arrives as one JSON text (cheaper for the server than a dict). */
    readUpdate() { this.latest = JSON.parse(this.model.get("update_json") || "{}"); }

    /* A title with `fit` (its wordings, longest first) shows the first that fits its width
       whole in the chart's font; echarts would cut it with an ellipsis. */
    fitTitles(option) {
      if (!option.title || !option.title.some((t) => t.fit)) return option;
      const context = (this.measure = this.measure || document.createElement("canvas").getContext("2d"));
      const title = option.title.map((t) => {
        if (!t.fit) return t;
        const style = t.textStyle || {};
        context.font = `${style.fontWeight || "bold"} ${style.fontSize || 18}px ${style.fontFamily || "sans-serif"}`;
        const text = t.fit.find((words) => context.measureText(words).width <= style.width) || t.fit[t.fit.length - 1];
        const fitted = Object.assign({}, t, {text});
        delete fitted.fit;
        return fitted;
      });
      return Object.assign({}, option, {title});
    }

    /* A y axis whose labels are marked `money` writes its ticks as `money` does. */
    moneyAxes(option) {
      if (!(option.yAxis || []).some((a) => a.axisLabel && a.axisLabel.money)) return option;
      const yAxis = option.yAxis.map((a) => (a.axisLabel && a.axisLabel.money
        ? Object.assign({}, a, {axisLabel: Object.assign({}, a.axisLabel, {formatter: money})}) : a));
      return Object.assign({}, option, {yAxis});
    }

    /* A line marked with a unit (charts._tooltip) shows its values with it when hovered. */
    tooltipUnits(option) {
      if (!option.series) return option;
      const format = {money: (v) => (typeof v === "number" ? money(v) : v),
                      "%": (v) => (typeof v === "number" ? `${v}%` : v)};
      const series = option.series.map((s) => (s.tooltip && format[s.tooltip.unit]
        ? Object.assign({}, s, {tooltip: Object.assign({}, s.tooltip, {valueFormatter: format[s.tooltip.unit]})}) : s));
      return Object.assign({}, option, {series});
    }

    schedule() {
      if (this.pending) return;
      this.pending = true;
      Promise.resolve().then(() => { this.pending = false; this.apply(); });
    }

    apply() {
      if (!this.chart) return;
      const option = this.model.get("option"), update = this.latest;
      if (this.optionDirty) {
        this.chart.setOption(this.tooltipUnits(this.moneyAxes(this.fitTitles(option))), true);
        this.optionDirty = false;
      }
      /* the series sent are all there are (the ghost's and the band's come and go) */
      if (update && update.option) this.chart.setOption(this.tooltipUnits(update.option), {replaceMerge: update.option.series ? ["series"] : []});
      this.chart.getZr().flush();
      this.el.dataset.week = update && update.week !== undefined ? update.week : "";
      this.el.dataset.marks = (update && update.marks) || 0;
      this.el.dataset.series = (option.series || []).length;
      this.el.dataset.layout = ((update && update.size) || []).join("x");
      if (update && update.week !== undefined) {
        this.model.set("drawn", update.week);
        this.touch();
      }
    }

    remove() {
      this.removed = true;
      clearTimeout(this.sizeTimer);
      window.removeEventListener("resize", this.onWindowResize);
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

  /* Saves `file` ({name, type, text} or, for a binary file, {name, url}: a data URL)
     whenever it changes. */
  class Download extends base.DOMWidgetView {
    render() {
      this.el.style.display = "none";
      this.listenTo(this.model, "change:file", () => this.save());
    }

    save() {
      const file = this.model.get("file");
      if (file.url) { save(file.url, file.name); return; }
      const url = URL.createObjectURL(new Blob([file.text], {type: file.type}));
      save(url, file.name);
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }
  }

  /* The keyboard of presenter mode: Space, the right arrow and Escape (not while typing),
     each press sent to the server as `pressed` ({key, n}: n counts the presses). */
  class Keys extends base.DOMWidgetView {
    render() {
      this.el.style.display = "none";
      this.onKey = (event) => {
        const key = {" ": "space", ArrowRight: "right", Escape: "escape"}[event.key];
        const target = event.target instanceof Element ? event.target : document.body;
        const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.closest("[role=slider]");
        if (!key || typing) return;
        event.preventDefault();
        this.model.set("pressed", {key, n: ((this.model.get("pressed") || {}).n || 0) + 1});
        this.touch();
      };
      document.addEventListener("keydown", this.onKey);
    }

    remove() {
      document.removeEventListener("keydown", this.onKey);
      return super.remove();
    }
  }

  return {EChart, Readout, UrlSync, Download, Keys};
});
