// An MCP client built on the official TypeScript SDK v1 (@modelcontextprotocol/sdk, 2025-11-25),
// run against the gateway fronting server-everything.
//
//   node sdk-v1-client.mjs --url http://127.0.0.1:PORT/mcp [--transport http|sse]
//        [--prefix everything__] [--step-timeout MS] step...
//
// Steps: tools echo resources prompts progress cancel sampling elicitation ping.
// Prints one JSON line {ok, initialize:{...}, steps:{<step>:{ok, ..., error?}}} and exits 1 when
// a step failed.

import { errorText, expect, npmImport, parseArgs, report, runSteps, sleep, textOf, withTimeout } from './common.mjs';

const { Client } = await npmImport('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = await npmImport('@modelcontextprotocol/sdk/client/streamableHttp.js');
const { SSEClientTransport } = await npmImport('@modelcontextprotocol/sdk/client/sse.js');
const { CallToolResultSchema, CreateMessageRequestSchema, ElicitRequestSchema } =
    await npmImport('@modelcontextprotocol/sdk/types.js');

const { options, positional } = parseArgs();
const url = new URL(options.url);
const transportKind = options.transport || 'http';
const prefix = options.prefix ?? 'everything__';
const stepTimeout = Number(options['step-timeout'] || 20000);

const kSamplingReply = 'FIXED-SAMPLING-REPLY from the v1 test client';
const kElicitedName = 'Ada Lovelace';

const seen = { sampling: [], elicitation: [] };
const client = new Client({ name: 'metamcp-test-v1', version: '1.0.0' },
                          { capabilities: { sampling: {}, elicitation: {} } });
client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    seen.sampling.push(request.params);
    return { role: 'assistant', content: { type: 'text', text: kSamplingReply }, model: 'test-model',
             stopReason: 'endTurn' };
});
client.setRequestHandler(ElicitRequestSchema, async (request) => {
    seen.elicitation.push(request.params);
    return { action: 'accept',
             content: { name: kElicitedName, check: true, email: 'ada@example.com', integer: 7 } };
});

const transport = transportKind === 'sse' ? new SSEClientTransport(url) : new StreamableHTTPClientTransport(url);

async function listAll(method, key) {
    const items = [];
    let cursor;
    do {
        const page = await client[method](cursor ? { cursor } : undefined);
        items.push(...page[key]);
        cursor = page.nextCursor;
    } while (cursor);
    return items;
}

const callTool = (name, args, requestOptions) =>
    client.callTool({ name: prefix + name, arguments: args }, CallToolResultSchema, requestOptions);

const steps = {
    async tools() {
        const tools = await listAll('listTools', 'tools');
        const names = tools.map((t) => t.name);
        expect(names.includes(prefix + 'echo'), `no ${prefix}echo in ${names.join(', ')}`);
        return { names };
    },
    async echo() {
        const message = `hello through ${transportKind}`;
        const result = await callTool('echo', { message });
        const text = textOf(result);
        expect(text === `Echo: ${message}`, `unexpected echo result ${JSON.stringify(result)}`);
        return { text };
    },
    async ping() {
        const result = await client.ping();
        return { result };
    },
    async resources() {
        const resources = await listAll('listResources', 'resources');
        expect(resources.length > 0, 'resources/list is empty');
        const resource = resources.find((r) => r.uri.startsWith('demo://resource/static/document/')) || resources[0];
        const read = await client.readResource({ uri: resource.uri });
        const content = read.contents?.[0];
        expect(content && content.uri === resource.uri, `unexpected read result ${JSON.stringify(read).slice(0, 300)}`);
        expect((content.text ?? content.blob ?? '').length > 0, 'resource content is empty');
        const templates = await client.listResourceTemplates();
        return { count: resources.length, uri: resource.uri, mimeType: content.mimeType,
                 length: (content.text ?? content.blob).length, templates: templates.resourceTemplates.length };
    },
    async prompts() {
        const prompts = await listAll('listPrompts', 'prompts');
        const names = prompts.map((p) => p.name);
        expect(names.includes(prefix + 'simple-prompt'), `no ${prefix}simple-prompt in ${names.join(', ')}`);
        const simple = await client.getPrompt({ name: prefix + 'simple-prompt' });
        const text = simple.messages?.[0]?.content?.text;
        expect(text === 'This is a simple prompt without arguments.', `unexpected prompt ${JSON.stringify(simple)}`);
        const withArgs = await client.getPrompt({ name: prefix + 'args-prompt', arguments: { city: 'Paris' } });
        const argsText = withArgs.messages?.[0]?.content?.text || '';
        expect(argsText.includes('Paris'), `argument not substituted: ${JSON.stringify(withArgs)}`);
        return { names, text, argsText };
    },
    async progress() {
        const notifications = [];
        const result = await callTool('trigger-long-running-operation', { duration: 0.6, steps: 3 },
                                      { onprogress: (p) => notifications.push(p), timeout: stepTimeout });
        const text = textOf(result);
        expect(text.includes('Long running operation completed'), `unexpected result ${JSON.stringify(result)}`);
        // All three are sent before the result. The SDK's SSE client can drop the last one when it
        // shares a chunk with the result (notification handlers run a microtask later), so the
        // C++ side decides how many it requires per transport.
        expect(notifications.length >= 1, 'no progress notifications');
        expect(notifications.every((p, i) => p.progress === i + 1 && p.total === 3),
               `unexpected progress values ${JSON.stringify(notifications)}`);
        return { notifications, text };
    },
    async cancel() {
        const controller = new AbortController();
        const notifications = [];
        const started = Date.now();
        const call = callTool('trigger-long-running-operation', { duration: 6, steps: 12 },
                              { signal: controller.signal, timeout: 60000,
                                onprogress: (p) => { notifications.push(p); controller.abort(new Error('test-abort')); } });
        // Abort after the first progress notification, at the latest after 3 s.
        const fallback = setTimeout(() => controller.abort(new Error('test-abort')), 3000);
        let outcome;
        try {
            const result = await call;
            outcome = { settled: 'resolved', result };
        } catch (e) {
            outcome = { settled: 'rejected', error: errorText(e) };
        } finally {
            clearTimeout(fallback);
        }
        const abortedAfterMs = Date.now() - started;
        expect(outcome.settled === 'rejected' && outcome.error.includes('test-abort'),
               `the aborted call did not reject with the abort reason: ${JSON.stringify(outcome)}`);
        expect(abortedAfterMs < 10000, `the abort took ${abortedAfterMs} ms`);
        // The session keeps working: the next calls are answered at once.
        await sleep(100);
        const next = textOf(await callTool('echo', { message: 'after cancel' }, { timeout: 10000 }));
        expect(next === 'Echo: after cancel', `call after cancel returned ${next}`);
        const sum = textOf(await callTool('get-sum', { a: 2, b: 3 }, { timeout: 10000 }));
        expect(sum.includes('5'), `get-sum after cancel returned ${sum}`);
        return { abortedAfterMs, progressBeforeAbort: notifications.length, error: outcome.error, next, sum };
    },
    async sampling() {
        const result = await callTool('trigger-sampling-request', { prompt: 'What is 2+2?', maxTokens: 20 });
        const text = textOf(result);
        expect(seen.sampling.length === 1, `the client got ${seen.sampling.length} sampling requests`);
        expect(text.includes(kSamplingReply), `sampling reply missing from ${JSON.stringify(result)}`);
        const asked = seen.sampling[0].messages?.[0]?.content?.text || '';
        expect(asked.includes('What is 2+2?'), `unexpected sampling request ${JSON.stringify(seen.sampling[0])}`);
        return { asked, text };
    },
    async elicitation() {
        const result = await callTool('trigger-elicitation-request', {});
        const text = textOf(result);
        expect(seen.elicitation.length === 1, `the client got ${seen.elicitation.length} elicitation requests`);
        expect(text.includes(`- Name: ${kElicitedName}`), `elicited content missing from ${JSON.stringify(result)}`);
        return { message: seen.elicitation[0].message, text };
    },
};

let initialize;
try {
    await withTimeout(client.connect(transport), stepTimeout, 'connect');
    initialize = { ok: true, serverInfo: client.getServerVersion(), capabilities: client.getServerCapabilities(),
                   protocolVersion: transport.protocolVersion ?? null, sessionId: transport.sessionId ?? null };
} catch (e) {
    report({ ok: false, initialize: { ok: false, error: errorText(e) }, steps: {} });
    process.exit(1);
}

const results = await runSteps(steps, positional, stepTimeout);
try {
    if (transport instanceof StreamableHTTPClientTransport)
        await withTimeout(transport.terminateSession(), 5000, 'terminateSession');
    await withTimeout(client.close(), 5000, 'close');
} catch (e) {
    results.close = { ok: false, error: errorText(e) };
}
report({ initialize, steps: results });
process.exit();
