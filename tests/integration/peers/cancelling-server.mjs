// A small real MCP server (official SDK v1, stdio) whose tool asks the client for input and
// then withdraws the question: the SDK sends notifications/cancelled for its own request.
// Used to test that an upstream's cancellation reaches the client through the gateway.
import { pathToFileURL } from 'node:url';

const base = `${process.env.METAMCP_NPM_DIR}/node_modules/@modelcontextprotocol/sdk/dist/esm/`;
const { McpServer } = await import(pathToFileURL(`${base}server/mcp.js`).href);
const { StdioServerTransport } = await import(pathToFileURL(`${base}server/stdio.js`).href);

const server = new McpServer({ name: 'cancelling', version: '1.0.0' });
server.registerTool('ask-then-give-up', { description: 'Asks the user, then withdraws the question', inputSchema: {} },
  async () => {
    const controller = new AbortController();
    const asked = server.server
      .elicitInput({ message: 'Still there?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
        { signal: controller.signal })
      .then((answer) => `answered: ${JSON.stringify(answer)}`, (error) => `withdrawn: ${error.message}`);
    setTimeout(() => controller.abort('changed my mind'), 300);
    return { content: [{ type: 'text', text: await asked }] };
  });
await server.connect(new StdioServerTransport());
