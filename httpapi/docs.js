// Renders the OpenAPI document of the API docs page (docs.html), served
// as a file: the page's Content-Security-Policy allows no inline script.
(async () => {
  const main = document.getElementById('ops');
  let doc;
  try { doc = await (await fetch('openapi.json')).json(); }
  catch (e) { main.textContent = 'Could not load openapi.json: ' + e; return; }
  const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
  const ref = r => r && r.$ref ? doc.components.schemas[r.$ref.split('/').pop()] : r;
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags || ['other'])[0];
      (byTag[tag] ||= []).push({path, method: method.toUpperCase(), op});
    }
  }
  let html = '';
  for (const tag of Object.keys(byTag).sort()) {
    html += `<h2>${esc(tag)}</h2>`;
    for (const {path, method, op} of byTag[tag]) {
      const params = (op.parameters || []).map(p => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${esc(p.schema && (p.schema.type + (p.schema.format ? ' (' + p.schema.format + ')' : '')))}</td><td>${esc(p.description)}</td></tr>`).join('');
      const body = op.requestBody && ref(op.requestBody.content['application/json'].schema);
      const ok = Object.entries(op.responses || {}).map(([c, r]) => `${esc(c)} ${esc(r.description)}`).join(' · ');
      html += `<details><summary><span class="m ${method}">${method}</span><code>${esc(path)}</code> ${esc(op.summary)}<span class="role">${esc(op['x-min-role'])}</span></summary><div class="body">
        <p><strong>Operation:</strong> <code>${esc(op.operationId)}</code> · <strong>Needs:</strong> ${esc(op['x-min-role'])}</p>
        ${params ? `<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>${params}</table>` : ''}
        ${body ? `<p><strong>Body:</strong></p><pre>${esc(JSON.stringify(body.properties || body, null, 2))}</pre>` : ''}
        <p><strong>Responses:</strong> ${ok}</p></div></details>`;
    }
  }
  main.innerHTML = html;
})();
