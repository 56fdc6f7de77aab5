// Narrow the timeline by actor, part, topic and claim status. The choice lives in the query
// string (?actor=…&status=…) so a filtered view can be shared. Without this script the form
// stays hidden and every event shows. The preview applies it again after a swap ("explainer:swapped").
(() => {
  const keys = { actor: "actors", phase: "phase", tag: "tags", status: "status" };
  let form, bound;
  const field = (name) => form.elements[name];

  const read = () => {
    const query = new URLSearchParams(location.search);
    for (const name in keys) {
      const value = query.get(name) || "";
      field(name).value = [...field(name).options].some((o) => o.value === value) ? value : "";
    }
  };

  const apply = (save) => {
    const wanted = Object.keys(keys).filter((name) => field(name).value);
    const events = document.querySelectorAll(".event");
    let shown = 0;
    for (const li of events) {
      const match = wanted.every((name) => (li.dataset[keys[name]] || "").split(" ").includes(field(name).value));
      li.hidden = !match;
      shown += match;
    }
    for (const phase of document.querySelectorAll(".phase")) phase.hidden = !phase.querySelector(".event:not([hidden])");
    const total = events.length;
    form.querySelector("[role=status]").textContent = !wanted.length ? `All ${total} events` : shown ? `${shown} of ${total} events match` : `No events match; choose “Show all events”`;
    if (save) {
      const query = new URLSearchParams();
      for (const name of wanted) query.set(name, field(name).value);
      const search = query.toString();
      history.replaceState(null, "", location.pathname + (search ? "?" + search : "") + location.hash);
    }
  };

  // The form may be new after a swap: listeners once per form.
  const start = () => {
    form = document.getElementById("filters");
    if (!form) return;
    if (bound !== form) {
      bound = form;
      form.addEventListener("change", () => apply(true));
      form.addEventListener("click", (event) => {
        if (event.target.closest("button")) {
          form.reset();
          apply(true);
        }
      });
      form.addEventListener("submit", (event) => event.preventDefault());
    }
    read();
    apply(false);
    form.hidden = false;
  };
  addEventListener("popstate", () => form && (read(), apply(false)));
  document.addEventListener("explainer:swapped", start);
  start();
})();
