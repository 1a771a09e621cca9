/** Until the web UI lands, /ui answers with a page that says where things are. */
export const uiPlaceholder = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Coffer</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}code{background:#eef;padding:0 .2rem}</style>
</head><body>
<h1>Coffer</h1>
<p>The server is running. The web UI is not built into this version yet.</p>
<p>Use the HTTP API at <code>/v1/</code> (the Vault v1 API), or the <code>coffer</code> command line.</p>
</body></html>
`;
