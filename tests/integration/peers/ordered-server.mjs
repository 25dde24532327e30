// A small real MCP server (official SDK v1, stdio) whose tool results show whether the gateway
// passed them on as the server wrote them: `ordered` returns structured content whose keys are
// not in alphabetical order (a JSON tree that sorts keys, like QJsonObject, would reorder them),
// `fails` returns a tool error (isError), `progress` sends progress first (the answer then
// travels on an SSE stream).
import { pathToFileURL } from 'node:url';

const base = `${process.env.METAMCP_NPM_DIR}/node_modules/@modelcontextprotocol/sdk/dist/esm/`;
const { McpServer } = await import(pathToFileURL(`${base}server/mcp.js`).href);
const { StdioServerTransport } = await import(pathToFileURL(`${base}server/stdio.js`).href);

const server = new McpServer({ name: 'ordered', version: '1.0.0' });
const structured = { zeta: 1, alpha: 'two\nlines', mid: [3, { y: true, b: null }] };
server.registerTool('ordered', { description: 'Structured content in a fixed key order', inputSchema: {} },
  async () => ({ content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured }));
server.registerTool('fails', { description: 'Always a tool error', inputSchema: {} },
  async () => ({ content: [{ type: 'text', text: 'it failed' }], isError: true }));
server.registerTool('progress', { description: 'Progress, then the ordered result', inputSchema: {} },
  async (_args, extra) => {
    const token = extra._meta?.progressToken;
    if (token !== undefined)
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: 1, total: 2 } });
    return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
  });
await server.connect(new StdioServerTransport());
