// Building blocks of the vote screens (open and secret): alert boxes and buttons in KERN UX.

export function alertBox(kind, title, detail, action) {
  const box = document.createElement("div");
  box.className = `kern-alert kern-alert--${kind}`;
  if (kind === "danger") box.setAttribute("role", "alert");
  const header = document.createElement("div");
  header.className = "kern-alert__header";
  const icon = document.createElement("span");
  icon.className = `kern-icon kern-icon--${kind === "danger" ? "danger" : kind}`;
  icon.setAttribute("aria-hidden", "true");
  const heading = document.createElement("span");
  heading.className = "kern-title";
  heading.textContent = title;
  header.append(icon, heading);
  box.append(header);
  if (detail || action) {
    const body = document.createElement("div");
    body.className = "kern-alert__body";
    if (detail) {
      const p = document.createElement("p");
      p.className = "kern-body";
      p.textContent = detail;
      body.append(p);
    }
    if (action) body.append(action);
    box.append(body);
  }
  return box;
}

export function button(text, kind, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = `kern-btn kern-btn--${kind}`;
  const label = document.createElement("span");
  label.className = "kern-label";
  label.textContent = text;
  node.append(label);
  node.addEventListener("click", onClick);
  return node;
}
