// Narrow the timeline by actor, part, topic and claim status. The choice lives in the query
// string (?actor=…&status=…) so a filtered view can be shared. Without this script the form
// stays hidden and every event shows.
(() => {
  const form = document.getElementById("filters");
  if (!form) return;
  const keys = { actor: "actors", phase: "phase", tag: "tags", status: "status" };
  const events = [...document.querySelectorAll(".event")];
  const phases = [...document.querySelectorAll(".phase")];
  const count = form.querySelector("[role=status]");
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
    let shown = 0;
    for (const li of events) {
      const match = wanted.every((name) => (li.dataset[keys[name]] || "").split(" ").includes(field(name).value));
      li.hidden = !match;
      shown += match;
    }
    for (const phase of phases) phase.hidden = !phase.querySelector(".event:not([hidden])");
    const total = events.length;
    count.textContent = !wanted.length ? `All ${total} events` : shown ? `${shown} of ${total} events match` : `No events match; choose “Show all events”`;
    if (save) {
      const query = new URLSearchParams();
      for (const name of wanted) query.set(name, field(name).value);
      const search = query.toString();
      history.replaceState(null, "", location.pathname + (search ? "?" + search : "") + location.hash);
    }
  };

  form.addEventListener("change", () => apply(true));
  form.querySelector("button").addEventListener("click", () => {
    form.reset();
    apply(true);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  addEventListener("popstate", () => {
    read();
    apply(false);
  });
  read();
  apply(false);
  form.hidden = false;
})();
