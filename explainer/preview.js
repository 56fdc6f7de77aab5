// The preview's in-place reload, a livereload plugin. `build.py serve` adds it to the pages it
// serves; it is never written into the site.
//
// When the pages have been rebuilt, it fetches the open page again and changes in place only
// what differs (title, head, body), so a save shows without a full page reload: no blank
// document, scroll position and focus kept. It leaves the full reload to livereload whenever
// that is the only correct thing: the server asks for it (a media file or another asset that
// keeps its name changed), the fetch fails or is not a page (the preview's error page is a
// 500), or redirects, or the page, before or after, runs scripts of its own (they would not
// run again). A script whose element has `data-preview-swap` says that it follows a swap: after
// one, the plugin sends `explainer:swapped` to the document and the script applies its state to
// the new page. Such scripts keep the swap only while they stay the same: a changed one (its
// hashed file name differs), an added or a removed one, gets the full reload.
(() => {
  "use strict";

  const ours = (el) => el.localName === "script" && (el.id === "explainer-preview" || /\/livereload\.js/.test(el.src || el.textContent));
  const runs = (el) => !ours(el) && !/json/i.test(el.type); // a script that runs (JSON data does not)
  const scripts = (doc) => [...doc.scripts].filter(runs);
  const follows = (el) => el.hasAttribute("data-preview-swap"); // the script applies its state again on "explainer:swapped"
  const reloadOnly = (doc) => !scripts(doc).every(follows) || doc.querySelector("base, meta[http-equiv='refresh' i]");
  const isStyle = (el) => el.matches("link[rel~='stylesheet' i], style");
  const html = (el) => el.outerHTML;
  const copy = (node) => document.importNode(node, true);
  const loaded = (link) =>
    new Promise((done) => {
      link.onload = link.onerror = done;
    });

  class Swap {
    static identifier = "explainer-swap";
    static version = "1.0";

    constructor() {
      this.turn = 0;
      this.swaps = 0;
    }

    reload(path) {
      if (path !== "*" || reloadOnly(document)) return false; // livereload reloads the page
      const turn = ++this.turn;
      this.swap(turn).catch((error) => {
        console.info("preview: full reload:", error.message);
        location.reload();
      });
      return true;
    }

    async swap(turn) {
      const response = await fetch(location.href, { cache: "no-store" });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || !type.startsWith("text/html")) throw new Error(`${response.status} ${type}`);
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      if (reloadOnly(doc)) throw new Error("the page runs scripts or redirects");
      if (scripts(doc).map(html).join() !== scripts(document).map(html).join()) throw new Error("the page's scripts changed");
      if (turn !== this.turn) return; // a newer save is on its way
      const [before, after] = [document, doc].map((d) => [...d.head.children].filter((el) => !ours(el)));
      const [oldStyles, newStyles] = [before, after].map((list) => list.filter(isStyle));
      if (oldStyles.map(html).join() !== newStyles.map(html).join()) {
        // The new stylesheets load beside the old ones and replace them once loaded: no unstyled frame.
        const added = newStyles.map(copy);
        for (const el of added) document.head.insertBefore(el, oldStyles[0] || document.getElementById("explainer-preview"));
        await Promise.all(added.filter((el) => el.localName === "link").map(loaded));
        const stale = turn !== this.turn;
        (stale ? added : oldStyles).forEach((el) => el.remove());
        if (stale) return;
      }
      const [oldRest, newRest] = [before, after].map((list) => list.filter((el) => !isStyle(el)));
      const [had, keep] = [oldRest, newRest].map((list) => new Set(list.map(html)));
      for (const el of oldRest) if (!keep.has(html(el))) el.remove();
      for (const el of newRest) if (!had.has(html(el))) document.head.insertBefore(copy(el), document.getElementById("explainer-preview"));
      const focused = document.activeElement;
      attributes(document.documentElement, doc.documentElement);
      morph(document.body, doc.body);
      document.dispatchEvent(new CustomEvent("explainer:swapped")); // at once: the page's scripts restore their state before the next frame
      if (focused && focused.id && !focused.isConnected) document.getElementById(focused.id)?.focus({ preventScroll: true });
      // When the change was on screen, for bench/latency.py: `painted` once the rendering step after
      // the swap has run, `shown` when the frame after that one starts (the first frame has been presented by then).
      const record = { swaps: ++this.swaps, painted: 0, shown: 0 };
      window.explainerPreview = record;
      const now = () => performance.timeOrigin + performance.now();
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => (record.painted = now());
        channel.port2.postMessage(null);
        requestAnimationFrame(() => (record.shown = now()));
      });
    }
  }

  function attributes(live, next) {
    for (const { name } of [...live.attributes]) if (!next.hasAttribute(name)) live.removeAttribute(name);
    for (const { name, value } of next.attributes) if (live.getAttribute(name) !== value) live.setAttribute(name, value);
  }

  // Make `live` equal to `next`, touching only the nodes that differ.
  function morph(live, next) {
    attributes(live, next);
    const now = live.childNodes;
    const wanted = [...next.childNodes];
    if (now.length !== wanted.length) {
      live.replaceChildren(...wanted.map(copy));
      return;
    }
    wanted.forEach((node, i) => {
      const old = now[i];
      if (old.isEqualNode(node)) return;
      if (old.nodeType === Node.ELEMENT_NODE && old.nodeName === node.nodeName) morph(old, node);
      else if (old.nodeType === Node.TEXT_NODE && node.nodeType === Node.TEXT_NODE) old.data = node.data;
      else old.replaceWith(copy(node));
    });
  }

  window.LiveReloadPluginExplainerSwap = Swap; // livereload.js, loaded after this, adds window.LiveReloadPlugin*
  window.LiveReload?.addPlugin(Swap);
})();
