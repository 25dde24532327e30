// A Streamable HTTP MCP server that lets a client initialise and then wants authorization for
// everything else (as a server does whose token checks sit behind its session set-up): 401 with
// an RFC 9728 challenge naming its protected-resource metadata. Plain node:http, no SDK.
//   node auth-after-init-server.mjs        prints "listening PORT" once it accepts connections
import http from 'node:http';

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname !== '/mcp') {
    res.writeHead(404).end();
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(405, { Allow: 'POST, DELETE' }).end();
    return;
  }
  if (req.method === 'DELETE') {
    res.writeHead(200).end();
    return;
  }
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    let message;
    try {
      message = JSON.parse(body);
    } catch {
      res.writeHead(400, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
      return;
    }
    if (message.method === 'initialize') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Mcp-Session-Id': 'auth-after-init-session' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {
          protocolVersion: message.params?.protocolVersion ?? '2025-11-25',
          capabilities: { tools: { listChanged: true } },
          serverInfo: { name: 'auth-after-init', version: '1.0.0' } } }));
      return;
    }
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const port = server.address().port;
    res.writeHead(401, {
      'Content-Type': 'application/json',
      'WWW-Authenticate':
        `Bearer resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp", ` +
        'error="invalid_token"',
    }).end(JSON.stringify({ error: 'invalid_token' }));
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
