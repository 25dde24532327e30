// A 2026-07-28 (stateless) MCP client: the official SDK v2 client (@modelcontextprotocol/client)
// pinned to 2026-07-28, over Streamable HTTP. Run against the gateway and against mcp-proxy
// (the reference dual-era server); the C++ test compares the two reports.
//
//   node modern-client.mjs --url http://127.0.0.1:PORT/mcp [--prefix everything__] step...
//
// Steps: discover tools echo error prompts resources, and with --handlers (the client declares
// sampling and elicitation and answers them; on 2026-07-28 they arrive as input_required
// results that the SDK fulfils and retries): sampling elicitation. progress asks for progress
// notifications on server-everything's trigger-long-running-operation.
// Besides what the SDK returns, the report carries what was on the wire (the raw results,
// taken from a recording fetch), normalised so that two servers can be compared: names
// without the gateway's prefix, sorted lists, no timings or server identities.

import { errorText, expect, npmImport, parseArgs, report, runSteps, textOf, withTimeout } from './common.mjs';

const { Client, StreamableHTTPClientTransport } = await npmImport('@modelcontextprotocol/client');

const { options, positional } = parseArgs();
const url = new URL(options.url);
const prefix = options.prefix ?? '';
const stepTimeout = Number(options['step-timeout'] || 20000);
const kVersion = '2026-07-28';

// Every JSON-RPC message received, with the method of the request it answers.
const wire = { requests: new Map(), responses: [], headers: [] };

function parseSse(text) {
    if (text.trimStart().startsWith('{'))
        try { return [JSON.parse(text)]; } catch { return []; }
    const messages = [];
    for (const block of text.split(/\r?\n\r?\n/)) {
        const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        if (data)
            try { messages.push(JSON.parse(data)); } catch { /* priming or keep-alive */ }
    }
    return messages;
}

async function recordingFetch(input, init) {
    let request = null;
    try { request = init?.body ? JSON.parse(init.body) : null; } catch { /* not JSON */ }
    if (request?.id !== undefined)
        wire.requests.set(request.id, request.method);
    const response = await fetch(input, init);
    const contentType = response.headers.get('content-type') || '';
    wire.headers.push({ method: request?.method ?? init?.method ?? 'GET', status: response.status,
                        contentType: contentType.split(';')[0], sessionId: response.headers.get('mcp-session-id') });
    if (request && response.body) {
        response.clone().text().then((text) => {
            const messages = contentType.includes('text/event-stream') ? parseSse(text)
                                                                      : (() => { try { return [JSON.parse(text)]; } catch { return []; } })();
            for (const m of messages)
                if (m.id !== undefined && (m.result || m.error))
                    wire.responses.push({ method: wire.requests.get(m.id), status: response.status, message: m });
        }, () => {});
    }
    return response;
}

async function lastWire(method) {
    // The recording runs a little behind the SDK; give it a moment.
    for (let i = 0; i < 50; ++i) {
        const found = wire.responses.filter((r) => r.method === method).at(-1);
        if (found)
            return found;
        await new Promise((r) => setTimeout(r, 10));
    }
    return null;
}

const strip = (name) => (prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name);
const keysOf = (o) => Object.keys(o || {}).sort();
const cacheFields = (r) => ({ resultType: r?.resultType ?? null, ttlMsIsInteger: Number.isInteger(r?.ttlMs),
                              cacheScope: r?.cacheScope ?? null });

const withHandlers = !!options.handlers;
const kSamplingReply = 'FIXED-SAMPLING-REPLY from the modern test client';
const seen = { sampling: [], elicitation: [] };
const client = new Client({ name: 'metamcp-test-modern', version: '1.0.0' },
                          { capabilities: withHandlers ? { sampling: {}, elicitation: {} } : {},
                            versionNegotiation: { mode: { pin: kVersion } } });
if (withHandlers) {
    client.setRequestHandler('sampling/createMessage', async (request) => {
        seen.sampling.push(request.params);
        return { role: 'assistant', content: { type: 'text', text: kSamplingReply }, model: 'test-model',
                 stopReason: 'endTurn' };
    });
    client.setRequestHandler('elicitation/create', async (request) => {
        seen.elicitation.push(request.params);
        return { action: 'accept', content: { name: 'Grace Hopper', check: true, email: 'grace@example.com' } };
    });
}
const transport = new StreamableHTTPClientTransport(url, { fetch: recordingFetch });

const steps = {
    async discover() {
        const discovered = client.getDiscoverResult() ?? await client.discover();
        const raw = (await lastWire('server/discover'))?.message?.result ?? {};
        expect(discovered.supportedVersions?.includes(kVersion), `supportedVersions ${JSON.stringify(discovered.supportedVersions)}`);
        expect(raw.resultType === 'complete', `server/discover resultType ${raw.resultType}`);
        return { supportsModern: discovered.supportedVersions.includes(kVersion),
                 capabilities: keysOf(discovered.capabilities), ...cacheFields(raw),
                 hasServerInfoMeta: !!raw._meta?.['io.modelcontextprotocol/serverInfo'] };
    },
    async tools() {
        const listed = await client.listTools();
        const raw = (await lastWire('tools/list'))?.message?.result ?? {};
        const names = listed.tools.map((t) => strip(t.name)).sort();
        expect(names.includes('echo'), `no echo tool in ${names.join(', ')}`);
        const echo = listed.tools.find((t) => strip(t.name) === 'echo');
        return { names, echoSchema: echo.inputSchema, ...cacheFields(raw) };
    },
    async echo() {
        const result = await client.callTool({ name: prefix + 'echo', arguments: { message: 'modern hello' } });
        const raw = (await lastWire('tools/call'))?.message?.result ?? {};
        expect(textOf(result) === 'Echo: modern hello', `unexpected result ${JSON.stringify(result)}`);
        expect(raw.resultType === 'complete', `tools/call resultType ${JSON.stringify(raw.resultType)}`);
        return { content: result.content, isError: result.isError ?? false, resultType: raw.resultType,
                 hasServerInfoMeta: !!raw._meta?.['io.modelcontextprotocol/serverInfo'] };
    },
    async error() {
        // An unknown tool: either a JSON-RPC error or an isError result, the same on both servers.
        try {
            const result = await client.callTool({ name: prefix + 'no-such-tool', arguments: {} });
            return { kind: 'result', isError: result.isError ?? false };
        } catch (e) {
            return { kind: 'error', code: e.code ?? null };
        }
    },
    async prompts() {
        const listed = await client.listPrompts();
        const raw = (await lastWire('prompts/list'))?.message?.result ?? {};
        const names = listed.prompts.map((p) => strip(p.name)).sort();
        const simple = await client.getPrompt({ name: prefix + 'simple-prompt' });
        const rawGet = (await lastWire('prompts/get'))?.message?.result ?? {};
        return { names, ...cacheFields(raw), simpleText: simple.messages?.[0]?.content?.text ?? null,
                 getResultType: rawGet.resultType ?? null };
    },
    async progress() {
        const notifications = [];
        const result = await client.callTool({ name: prefix + 'trigger-long-running-operation',
                                               arguments: { duration: 0.6, steps: 3 } },
                                             { onprogress: (p) => notifications.push(p), timeout: stepTimeout });
        expect(textOf(result).includes('Long running operation completed'), `unexpected result ${JSON.stringify(result)}`);
        expect(notifications.length >= 1, 'no progress notifications');
        return { notifications: notifications.map((p) => ({ progress: p.progress, total: p.total })) };
    },
    async sampling() {
        const result = await client.callTool({ name: prefix + 'trigger-sampling-request',
                                               arguments: { prompt: 'What is 2+2?', maxTokens: 20 } });
        const text = textOf(result);
        expect(seen.sampling.length === 1, `the client got ${seen.sampling.length} sampling requests`);
        expect(text.includes(kSamplingReply), `sampling reply missing from ${JSON.stringify(result)}`);
        return { text, rounds: wire.responses.filter((r) => r.message.result?.resultType === 'input_required').length };
    },
    async abandoned() {
        // A client may drop an input_required round (never retry). Another call that needs input
        // right after it must still get its own round.
        const name = prefix + 'trigger-sampling-request';
        const response = await fetch(url, { method: 'POST', headers: {
            'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
            'MCP-Protocol-Version': kVersion, 'Mcp-Method': 'tools/call', 'Mcp-Name': name,
        }, body: JSON.stringify({ jsonrpc: '2.0', id: 'abandoned-1', method: 'tools/call', params: {
            name, arguments: { prompt: 'never answered', maxTokens: 5 },
            _meta: { 'io.modelcontextprotocol/protocolVersion': kVersion,
                     'io.modelcontextprotocol/clientCapabilities': { sampling: {} },
                     'io.modelcontextprotocol/clientInfo': { name: 'abandoning-client', version: '1' } } } }) });
        const first = parseSse(await response.text())[0] ?? {};
        expect(first.result?.resultType === 'input_required', `first call: ${JSON.stringify(first).slice(0, 300)}`);
        const result = await client.callTool({ name, arguments: { prompt: 'answered', maxTokens: 5 } });
        expect(textOf(result).includes(kSamplingReply), `second call: ${JSON.stringify(result).slice(0, 300)}`);
        return { first: first.result.resultType, second: 'complete' };
    },
    async elicitation() {
        const result = await client.callTool({ name: prefix + 'trigger-elicitation-request', arguments: {} });
        const text = textOf(result);
        expect(seen.elicitation.length === 1, `the client got ${seen.elicitation.length} elicitation requests`);
        expect(text.includes('- Name: Grace Hopper'), `elicited content missing from ${JSON.stringify(result)}`);
        return { text };
    },
    async resources() {
        const uri = 'demo://resource/static/document/architecture.md';
        const listed = await client.listResources();
        const raw = (await lastWire('resources/list'))?.message?.result ?? {};
        const read = await client.readResource({ uri });
        const rawRead = (await lastWire('resources/read'))?.message?.result ?? {};
        const content = read.contents?.[0] ?? {};
        expect(content.uri === uri && (content.text || '').length > 0, `unexpected read ${JSON.stringify(read).slice(0, 300)}`);
        return { listed: listed.resources.some((r) => r.uri === uri), list: cacheFields(raw),
                 mimeType: content.mimeType ?? null, length: content.text.length, read: cacheFields(rawRead) };
    },
};

let connect;
try {
    await withTimeout(client.connect(transport), stepTimeout, 'connect');
    connect = { ok: true, era: client.getProtocolEra() ?? null, version: client.getNegotiatedProtocolVersion() ?? null };
} catch (e) {
    report({ ok: false, connect: { ok: false, error: errorText(e) }, steps: {} });
    process.exit(1);
}

const results = await runSteps(steps, positional, stepTimeout);
try {
    await withTimeout(client.close(), 5000, 'close');
} catch (e) {
    results.close = { ok: false, error: errorText(e) };
}
const sessionIds = wire.headers.filter((h) => h.sessionId).length;
report({ connect, steps: results, wire: { responsesWithSessionId: sessionIds,
                                          statuses: [...new Set(wire.headers.map((h) => `${h.method} ${h.status}`))].sort() } });
process.exit();
