// LeakTrace trade-chain view: draws the chain with cytoscape.js at the positions computed in
// Python (leaktrace.chain.view), shows a party's or a transfer's details on click, and filters
// transfers by date. Every string from the chain is put into the page as text, never as markup.
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("chain-data").textContent);
  const T = data.text;
  const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else if (key === "style") Object.assign(node.style, value);
      else node.setAttribute(key, value);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  const elements = [];
  data.nodes.forEach((n) => {
    elements.push({
      group: "nodes",
      data: { id: n.id, name: n.name, label: n.label, role: n.role, colour: n.colour, ring: n.ring || n.colour },
      position: { x: n.x, y: n.y },
      classes: n.ring ? "role-" + n.role + " ringed" : "role-" + n.role,
    });
  });
  data.edges.forEach((e) => {
    const classes = [];
    if (e.inferred) classes.push("inferred");
    if (e.source === e.target) classes.push("loop");
    else if (e.bend) classes.push("curved");
    elements.push({
      group: "edges",
      data: { id: e.id, source: e.source, target: e.target, label: e.label, date: e.date, bend: e.bend },
      classes: classes.join(" "),
    });
  });

  const cy = cytoscape({
    container: document.getElementById("cy"),
    elements: elements,
    layout: { name: "preset", fit: true, padding: 60 },
    minZoom: 0.2,
    maxZoom: 3,
    boxSelectionEnabled: false,
    autoungrabify: false,
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)",
          width: 36,
          height: 36,
          "border-width": 2,
          "border-color": "#ffffff",
          label: "data(label)",
          "text-wrap": "wrap",
          "text-valign": "bottom",
          "text-margin-y": 6,
          "font-family": FONT,
          "font-size": 13,
          "font-weight": 600,
          color: "#1c2833",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
          "text-background-padding": 2,
          "text-background-shape": "roundrectangle",
        },
      },
      { selector: "node.ringed", style: { "border-width": 4, "border-color": "data(ring)" } },
      {
        selector: "node:selected",
        style: { "overlay-color": "#2471a3", "overlay-opacity": 0.18, "overlay-padding": 8, "overlay-shape": "ellipse" },
      },
      {
        selector: "edge",
        style: {
          "curve-style": "straight",
          width: 1.8,
          "line-color": "#5d6d7e",
          "target-arrow-color": "#5d6d7e",
          "target-arrow-shape": "triangle",
          "arrow-scale": 1.1,
          label: "data(label)",
          "text-wrap": "wrap",
          "font-family": FONT,
          "font-size": 11,
          color: "#34495e",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.92,
          "text-background-padding": 2,
          "text-background-shape": "roundrectangle",
        },
      },
      {
        selector: "edge.curved",
        style: {
          "curve-style": "unbundled-bezier",
          "control-point-distances": "data(bend)",
          "control-point-weights": 0.5,
        },
      },
      { selector: "edge.loop", style: { "curve-style": "bezier", "loop-direction": "0deg" } },
      { selector: "edge.unlabelled", style: { label: "" } },
      { selector: "edge.unlabelled:selected", style: { label: "data(label)" } },
      { selector: "edge.inferred", style: { "line-style": "dashed", "line-dash-pattern": [6, 4] } },
      {
        selector: "edge:selected",
        style: { "line-color": "#2471a3", "target-arrow-color": "#2471a3", width: 3 },
      },
      {
        selector: ".flagged",
        style: { "overlay-color": "#b9770e", "overlay-opacity": 0.25, "overlay-padding": 10, "overlay-shape": "ellipse" },
      },
      {
        selector: "edge.flagged",
        style: { "line-color": "#b9770e", "target-arrow-color": "#b9770e", width: 3.5 },
      },
      { selector: "node.faded", style: { opacity: 0.25 } },
      { selector: ".hidden", style: { display: "none" } },
    ],
  });
  window.cy = cy;

  // Zoomed far out (a big chain fitted to the screen), edge labels would be too small to read
  // and would only hide the lines: they come back when zoomed in, or on a selected transfer.
  if (cy.zoom() > 1.4) {  // a chain of two or three parties: do not blow it up
    cy.zoom(1.4);
    cy.center();
  }

  const labelsByZoom = () => cy.edges().toggleClass("unlabelled", cy.zoom() < 0.7);
  cy.on("zoom", labelsByZoom);
  labelsByZoom();

  // ---- details panel ---------------------------------------------------------------------
  const details = document.getElementById("details");

  function rowsList(rows) {
    const dl = el("dl");
    rows.forEach(([key, value]) => {
      dl.appendChild(el("dt", { text: key }));
      dl.appendChild(el("dd", { text: value }));
    });
    return dl;
  }

  function findingBlock(f) {
    const box = el("div", { class: "finding level-" + f.level, style: { borderLeftColor: f.colour } }, [
      el("h3", { text: f.title, style: { color: f.colour } }),
    ]);
    if (f.grounds.length) {
      box.appendChild(el("h4", { text: f.grounds_title }));
      f.grounds.forEach((g) => {
        box.appendChild(
          el("div", { class: "ground" }, [
            el("div", { class: "provision", text: g.provision }),
            el("div", { class: "why", text: g.why }),
            g.text ? el("div", { class: "text", text: g.text }) : null,
          ]),
        );
      });
    }
    if (f.rows.length) box.appendChild(rowsList(f.rows));
    if (f.notes.length) {
      box.appendChild(
        el("details", {}, [
          el("summary", { text: f.notes_title + " (" + f.notes.length + ")" }),
          el("ul", {}, f.notes.map((note) => el("li", { text: note }))),
        ]),
      );
    }
    return box;
  }

  function show(panel) {
    details.replaceChildren(
      el("h2", { text: T.details }),
      el("p", { class: "title" }, [
        el("span", { class: "dot", style: { background: panel.colour } }),
        el("span", { class: "name", text: panel.title }),
      ]),
      el("p", { class: "subtitle", text: panel.role }),
    );
    if (panel.note) details.appendChild(el("p", { class: "note", text: panel.note }));
    if (panel.rows.length) details.appendChild(rowsList(panel.rows));
    if (panel.finding) details.appendChild(findingBlock(panel.finding));
    panel.lists.forEach((list) => {
      details.appendChild(el("h4", { text: list.title }));
      details.appendChild(el("ul", {}, list.items.map((item) => el("li", { text: item }))));
    });
  }

  function clear() {
    details.replaceChildren(el("h2", { text: T.details }), el("p", { class: "quiet", text: T.hint }));
  }

  const panels = {};
  data.nodes.forEach((n) => (panels[n.id] = n.panel));
  data.edges.forEach((e) => (panels[e.id] = e.panel));
  const rows = Array.from(document.querySelectorAll(".parties tr[data-node]"));

  function select(id) {
    rows.forEach((row) => row.classList.toggle("selected", row.dataset.node === id));
    if (id && panels[id]) show(panels[id]);
    else clear();
  }

  cy.on("tap", "node, edge", (event) => select(event.target.id()));
  cy.on("tap", (event) => {
    if (event.target === cy) {
      cy.elements().unselect();
      select(null);
    }
  });
  rows.forEach((row) =>
    row.addEventListener("click", () => {
      cy.elements().unselect();
      cy.getElementById(row.dataset.node).select();
      select(row.dataset.node);
    }),
  );

  // ---- issues and paths: point at the parties and transfers they name ----------------------
  document.querySelectorAll(".issues li[data-nodes], .paths li[data-nodes]").forEach((item) => {
    const ids = (item.dataset.nodes + " " + item.dataset.edges).split(" ").filter(Boolean);
    const flag = (on) => ids.forEach((id) => cy.getElementById(id).toggleClass("flagged", on));
    item.addEventListener("mouseenter", () => flag(true));
    item.addEventListener("mouseleave", () => flag(false));
    item.addEventListener("focus", () => flag(true));
    item.addEventListener("blur", () => flag(false));
  });

  // ---- time slider ---------------------------------------------------------------------
  const slider = document.getElementById("time");
  const output = document.getElementById("time-label");

  function applyTime() {
    const i = Number(slider.value);
    const until = i < data.dates.length ? data.dates[i] : null;
    cy.batch(() => {
      const active = new Set();
      cy.edges().forEach((edge) => {
        const date = edge.data("date");
        const hidden = until !== null && date !== null && date > until;
        edge.toggleClass("hidden", hidden);
        if (!hidden) {
          active.add(edge.source().id());
          active.add(edge.target().id());
        }
      });
      cy.nodes().forEach((node) => node.toggleClass("faded", until !== null && !active.has(node.id())));
    });
    output.textContent = until === null ? T.all : T.until.replace("{date}", until);
  }

  slider.addEventListener("input", applyTime);
  applyTime();
  window.addEventListener("resize", () => cy.fit(undefined, 60));
})();
